// The tagged people of ../shared/fixtures/people (kphotoalbum's index.xml) and where each tagged face is, for the face tests.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '..', '..');
export const BUNDLED_MODELS = join(REPO, 'resources', 'models');
export const SHARED = '/work/shared';
export const PEOPLE_DIR = join(SHARED, 'fixtures', 'people');
export const IMAGES_DIR = join(SHARED, 'fixtures', 'images');
export const ARCFACE_ONNX = join(SHARED, 'models', 'test-only', 'face-embedding-arcface112.onnx');
/** The test-only ArcFace manifest (never shipped): copied beside a link to the model in a temp folder. */
export const ARCFACE_MANIFEST = join(REPO, 'test', 'faces', 'fixtures', 'face-embedding-arcface112.json');
export const hasPeople = existsSync(join(PEOPLE_DIR, 'index.xml'));

/** A point normalised to the upright photo. */
export type At = [number, number];

export interface TaggedPhoto {
  file: string;
  /** Clockwise rotation (degrees) that shows the photo upright. */
  angle: number;
  /** Tagged people with a face region, when index.xml gives one (its "area", mapped to the upright photo). */
  people: { name: string; at: At | null }[];
}

/** Pets are tagged in the People category too; they have no human face. */
const NOT_PEOPLE = new Set(['Pets', 'Donna', 'Blackie', 'Spiff']);

const attr = (tag: string, name: string): string | null => new RegExp(`\\b${name}="([^"]*)"`).exec(tag)?.[1] ?? null;

/** A point in the stored photo's pixels → normalised to the upright photo, after a clockwise rotation by `angle`. */
function upright([x, y]: At, w: number, h: number, angle: number): At {
  const u = x / w;
  const v = y / h;
  switch (((angle % 360) + 360) % 360) {
    case 90:
      return [1 - v, u];
    case 180:
      return [1 - u, 1 - v];
    case 270:
      return [v, 1 - u];
    default:
      return [u, v];
  }
}

/** Photos present in the fixture folder with their tagged people (pets left out), from index.xml. */
export function readIndex(dir = PEOPLE_DIR): TaggedPhoto[] {
  const xml = readFileSync(join(dir, 'index.xml'), 'utf8');
  const out: TaggedPhoto[] = [];
  for (const m of xml.matchAll(/<image\b([^>]*)>([\s\S]*?)<\/image>/g)) {
    const head = m[1] as string;
    const file = attr(head, 'file');
    if (!file || !/\.(jpe?g|png)$/i.test(file) || !existsSync(join(dir, file))) continue;
    const angle = Number(attr(head, 'angle') ?? 0);
    const w = Number(attr(head, 'width'));
    const h = Number(attr(head, 'height'));
    const people = /<option name="People">([\s\S]*?)<\/option>/.exec(m[2] as string)?.[1] ?? '';
    const tagged: TaggedPhoto['people'] = [];
    for (const v of people.matchAll(/<value\b([^>]*)\/>/g)) {
      const name = attr(v[1] as string, 'value');
      if (!name || NOT_PEOPLE.has(name)) continue;
      const area = attr(v[1] as string, 'area')?.split(/\s+/).map(Number);
      const at = area && area.length === 4 && w > 0 && h > 0 ? upright([(area[0] as number) + (area[2] as number) / 2, (area[1] as number) + (area[3] as number) / 2], w, h, angle) : null;
      tagged.push({ name, at });
    }
    out.push({ file, angle, people: tagged });
  }
  return out;
}

/**
 * Where each tagged face is in the upright photos that index.xml gives no region for: a point inside the face, read
 * off the photos by eye (the detector's boxes drawn on them), so group photos and photos with bystanders pick the
 * tagged person's face and no one else's.
 */
export const FACE_AT: Record<string, Record<string, At>> = {
  'jesper.jpg': { Jesper: [0.5, 0.45] },
  'jesper_2.jpg': { Jesper: [0.5, 0.46] },
  'bar55.jpg': { Jesper: [0.51, 0.38], 'Anne Helene': [0.39, 0.5] },
  'bar55_2.jpg': { Jesper: [0.55, 0.3], 'Anne Helene': [0.4, 0.35] },
  'pool.jpg': { Jesper: [0.38, 0.28] },
  'pool_2.jpg': { Jesper: [0.43, 0.12] },
  'cold_water.jpg': { Jesper: [0.58, 0.4] },
  'new_wave_1.jpg': { Jesper: [0.69, 0.31] },
  'new_wave_2.jpg': { Jesper: [0.5, 0.6] },
  'grand_canyon_1.jpg': { Jesper: [0.2, 0.29], 'Anne Helene': [0.46, 0.43] },
  'grand_canyon_2.jpg': { Jesper: [0.48, 0.48] },
  'anne_helene.jpg': { 'Anne Helene': [0.46, 0.33] },
};

/** Two more identities (fixtures/README.md: distinct from everyone in the album), each a single face. */
export const OTHER_FACES: { file: string; name: string; at: At }[] = [
  { file: join(IMAGES_DIR, 'astronaut.png'), name: 'Eileen Collins', at: [0.44, 0.24] },
  { file: join(IMAGES_DIR, 'messi5.jpg'), name: 'footballer', at: [0.44, 0.34] },
];

/** Frames of movie.avi (160×120, Jesper's face) used as camera frames: first, middle and last second. */
export const MOVIE = { file: join(PEOPLE_DIR, 'movie.avi'), width: 160, height: 120, seconds: [0.5, 2.2, 4.0], name: 'Jesper' };
