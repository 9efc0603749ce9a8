// The one reader of camera settings for every other service (recording, analysis): id, name, kind, enabled, parsed tuning.
import type { CameraSettingsRecord, CamerasRepository } from '../../repositories/cameras.repository';

export type CameraSettings = CameraSettingsRecord;

/** The port other services consume; the cameras service keeps it current. */
export interface CameraSettingsSource {
  get(id: number): CameraSettings | null;
  /** Every camera, by id. */
  list(): CameraSettings[];
}

/**
 * Settings read once and kept until the cameras service writes a camera (it calls invalidate() after every write), so
 * there is no time-based staleness. A camera missing from the cache is read through, so a row written by another path
 * (a test seeding the table) is seen at once.
 */
export class CameraSettingsCache implements CameraSettingsSource {
  private all: CameraSettings[] | null = null;
  private byId = new Map<number, CameraSettings>();

  constructor(private readonly repo: Pick<CamerasRepository, 'listSettings' | 'getSettings'>) {}

  list(): CameraSettings[] {
    if (!this.all) {
      this.all = this.repo.listSettings();
      this.byId = new Map(this.all.map((c) => [c.id, c]));
    }
    return this.all;
  }

  get(id: number): CameraSettings | null {
    this.list();
    const hit = this.byId.get(id);
    if (hit) return hit;
    const row = this.repo.getSettings(id);
    if (row) this.invalidate();
    return row;
  }

  invalidate(): void {
    this.all = null;
    this.byId.clear();
  }
}
