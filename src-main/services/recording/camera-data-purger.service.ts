// CameraDataPurger for camera delete/repoint: files first (clips, thumbnails, sprites, segments, exports), then rows.
import type { CameraDataPurger } from '../ingest.port';
import type { EventsRepository, ExportsRepository } from '../../repositories/events.repository';
import type { SegmentsRepository } from '../../repositories/segments.repository';
import type { MediaFilesRepository } from '../../repositories/media-files.repository';
import type { EventsService } from './events.service';
import type { EventRecorder } from './event-recorder.service';

export class RecordingCameraDataPurger implements CameraDataPurger {
  constructor(
    private readonly segments: SegmentsRepository,
    private readonly events: EventsRepository,
    private readonly exportsRepo: ExportsRepository,
    private readonly eventsService: EventsService,
    private readonly recorder: EventRecorder,
    private readonly files: MediaFilesRepository,
  ) {}

  async purgeCamera(cameraId: number): Promise<void> {
    this.recorder.forget(cameraId);
    const ids = this.events.byCamera(cameraId).map((e) => e.id);
    for (let i = 0; i < ids.length; i += 200) this.eventsService.deleteIds(ids.slice(i, i + 200));
    for (const s of this.segments.byCamera(cameraId)) this.files.remove(s.path);
    this.segments.deleteCamera(cameraId);
    this.events.deleteActivity(cameraId);
    for (const x of this.exportsRepo.byCamera(cameraId)) {
      this.files.remove(x.file_path);
      this.files.remove(`exports/${x.id}.manifest.json`);
    }
    for (const f of this.files.walk(`segments/${cameraId}`)) this.files.remove(f.rel);
    for (const f of this.files.walk(`cache/frames/${cameraId}`).concat(this.files.walk(`cache/sprites/${cameraId}`))) this.files.remove(f.rel);
  }
}
