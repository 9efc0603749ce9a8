// CameraDataPurger for camera delete/repoint: files first (clips, thumbnails, sprites, segments, exports), then rows.
import type { CameraDataPurger } from '../cameras/cameras.service';
import type { EventsRepository, ExportsRepository } from '../../repositories/events.repository';
import type { SegmentsRepository } from '../../repositories/segments.repository';
import type { MediaFilesRepository } from '../../repositories/media-files.repository';
import type { EventsService } from './events.service';
import type { EventRecorder } from './event-recorder.service';

const yieldLoop = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

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
    // A month of 4 s segments is ~650k unlinks: yield now and then so live streams and other cameras keep flowing.
    let n = 0;
    for (const s of this.segments.byCamera(cameraId)) {
      this.files.remove(s.path);
      if (++n % 500 === 0) await yieldLoop();
    }
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
