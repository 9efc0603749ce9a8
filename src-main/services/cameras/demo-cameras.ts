// The demo cameras seeded on a database that never had a camera: the street video when it is present, and a test pattern.
import { defaultTuning, type CameraTuning, type SourceKind } from '../../shared/contract/cameras.contract';
import type { NewCamera } from '../../repositories/cameras.repository';

/** Demo scenes never stop moving: shorter events give a newcomer a finished clip within the first minute. */
export const DEMO_TUNING: Partial<CameraTuning> = { max_event_seconds: 30, post_seconds: 5 };

export interface DemoPlan {
  cameras: NewCamera[];
  /** The street video was not given or is not in an allowed media folder (only the pattern is seeded). */
  streetMissing: boolean;
}

/** What to seed; `isMediaFile` applies the media-folder rule to the street video. */
export function demoCameras(streetVideo: string | null, isMediaFile: (path: string) => boolean): DemoPlan {
  const demos: { name: string; url: string; kind: SourceKind; tuning: Partial<CameraTuning> }[] = [];
  const streetMissing = !(streetVideo && isMediaFile(streetVideo));
  // The street runs the person detector; the test pattern has nobody in it, so it shows motion events instead.
  if (!streetMissing) demos.push({ name: 'Street (demo)', url: streetVideo as string, kind: 'file', tuning: { detect_enabled: true } });
  demos.push({ name: 'Test pattern (demo)', url: 'pattern://testsrc2', kind: 'pattern', tuning: { detect_enabled: false } });
  return {
    streetMissing,
    cameras: demos.map((c) => ({ name: c.name, kind: c.kind, source: { url: c.url, username: null, password: null }, url_host: '', enabled: true, is_demo: true, tuning: { ...defaultTuning, ...DEMO_TUNING, ...c.tuning } })),
  };
}
