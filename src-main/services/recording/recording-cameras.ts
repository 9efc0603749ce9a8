// Camera recording config as the recording services need it: tuning from the cameras row (defaults + stored JSON).
import { defaultTuning, parseStoredTuning, RECORDING_MODES, type CameraTuning } from '../../shared/contract/cameras.contract';
import type { CameraRecordingRow, EventsRepository } from '../../repositories/events.repository';

export interface RecordingCamera {
  id: number;
  name: string;
  tuning: CameraTuning;
}

export interface RecordingCameraSource {
  get(id: number): RecordingCamera | null;
  list(): RecordingCamera[];
}

export function tuningFromRow(row: CameraRecordingRow): CameraTuning {
  const mode = (RECORDING_MODES as readonly string[]).includes(row.recording_mode) ? (row.recording_mode as CameraTuning['recording_mode']) : defaultTuning.recording_mode;
  return parseStoredTuning(row.config, mode);
}

/** Reads the cameras table directly (read-only) with a short cache, until the cameras service exposes a getter. */
export class TableRecordingCameras implements RecordingCameraSource {
  private cache: { at: number; list: RecordingCamera[] } | null = null;

  constructor(
    private readonly repo: EventsRepository,
    private readonly now: () => number,
    private readonly ttlMs = 2000,
  ) {}

  list(): RecordingCamera[] {
    const t = this.now();
    if (!this.cache || t - this.cache.at > this.ttlMs) {
      this.cache = { at: t, list: this.repo.cameras().map((r) => ({ id: r.id, name: r.name, tuning: tuningFromRow(r) })) };
    }
    return this.cache.list;
  }

  get(id: number): RecordingCamera | null {
    const hit = this.list().find((c) => c.id === id);
    if (hit) return hit;
    const row = this.repo.camera(id);
    if (!row) return null;
    this.cache = null;
    return { id: row.id, name: row.name, tuning: tuningFromRow(row) };
  }

  invalidate(): void {
    this.cache = null;
  }
}
