// Finds model manifests in the bundled and user folders and checks each one (manifest, file, sha256, session, tensor shapes).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import { checkModelIo, classNames, parseManifest, type ModelEntry, type ModelManifest } from '../../shared/model-manifest';
import { oneLine, type OnnxRuntimeRepository, type OnnxSession } from './onnx-runtime.repository';

export interface ModelDir {
  path: string;
  origin: ModelEntry['origin'];
}

export interface OpenModel {
  entry: ModelEntry;
  manifest: ModelManifest;
  session: OnnxSession;
}

export type OpenResult = { ok: true; model: OpenModel } | { ok: false; entry: ModelEntry | null; error: string };

interface Candidate {
  entry: ModelEntry;
  manifest: ModelManifest | null;
}

const MANIFEST_LIMIT = 1024 * 1024;

export class ModelRegistry {
  /** sha256 by path, size and mtime: a 15 MB model is hashed once, not on every scan. */
  private readonly hashes = new Map<string, string>();

  constructor(
    private readonly dirs: readonly ModelDir[],
    private readonly runtime: OnnxRuntimeRepository,
  ) {}

  /** Every manifest found, each checked down to a loaded session; sessions are released again. Never rejects. */
  async scan(): Promise<ModelEntry[]> {
    const out: ModelEntry[] = [];
    for (const c of await this.candidates()) {
      if (!c.manifest || c.entry.status === 'error') {
        out.push(c.entry);
        continue;
      }
      const r = await this.check(c.entry, c.manifest);
      if (r.ok) await r.model.session.release();
      out.push(r.ok ? r.model.entry : (r.entry ?? c.entry));
    }
    return out;
  }

  /** The named model, checked, with its session kept open for the caller (who releases it). */
  async open(name: string): Promise<OpenResult> {
    const c = (await this.candidates()).find((x) => x.entry.name === name);
    if (!c) return { ok: false, entry: null, error: `no model named "${name}"` };
    if (!c.manifest || c.entry.status === 'error') return { ok: false, entry: c.entry, error: c.entry.error ?? 'invalid manifest' };
    return this.check(c.entry, c.manifest);
  }

  private async candidates(): Promise<Candidate[]> {
    const out: Candidate[] = [];
    const seen = new Map<string, ModelEntry>();
    for (const dir of this.dirs) {
      let files: string[];
      try {
        files = (await readdir(dir.path)).filter((f) => f.endsWith('.json')).sort();
      } catch {
        continue;
      }
      for (const f of files) {
        const c = await this.read(dir, join(dir.path, f));
        const prior = seen.get(c.entry.name);
        if (prior) {
          c.entry.status = 'error';
          c.entry.error = `another model is already named "${c.entry.name}" (${prior.manifest_path})`;
        } else seen.set(c.entry.name, c.entry);
        out.push(c);
      }
    }
    return out;
  }

  private async read(dir: ModelDir, manifestPath: string): Promise<Candidate> {
    const entry: ModelEntry = {
      name: basename(manifestPath, '.json'),
      origin: dir.origin,
      manifest_path: manifestPath,
      file: null,
      task: null,
      decoder: null,
      input: null,
      classes: null,
      dim: null,
      licence: null,
      source: null,
      sha256: null,
      status: 'error',
      error: null,
    };
    let json: unknown;
    try {
      const s = await stat(manifestPath);
      if (s.size > MANIFEST_LIMIT) throw new Error('the manifest is larger than 1 MB');
      json = JSON.parse(await readFile(manifestPath, 'utf8'));
    } catch (e) {
      entry.error = `manifest is not readable JSON: ${oneLine(e)}`;
      return { entry, manifest: null };
    }
    const parsed = parseManifest(json);
    if (!parsed.ok) {
      entry.error = parsed.error;
      return { entry, manifest: null };
    }
    const m = parsed.manifest;
    const file = resolve(dir.path, m.file);
    const rel = relative(resolve(dir.path), file);
    Object.assign(entry, {
      name: m.name ?? entry.name,
      task: m.task,
      decoder: m.decoder.type,
      input: { width: m.input.width, height: m.input.height },
      classes: m.decoder.type === 'embedding' ? null : classNames(m).length,
      dim: m.decoder.type === 'embedding' ? m.decoder.dim : null,
      licence: m.licence,
      source: m.source,
      sha256: m.sha256 ?? null,
    });
    if (rel.startsWith('..') || isAbsolute(rel)) {
      entry.error = `the model file "${m.file}" is outside the manifest's folder`;
      return { entry, manifest: m };
    }
    entry.file = file;
    entry.status = 'ok';
    return { entry, manifest: m };
  }

  private async check(base: ModelEntry, m: ModelManifest): Promise<OpenResult> {
    const entry = { ...base };
    const fail = (error: string): OpenResult => ({ ok: false, entry: { ...entry, status: 'error', error }, error });
    const file = entry.file as string;
    let size: number;
    let mtime: number;
    try {
      const s = await stat(file);
      if (!s.isFile()) return fail(`the model file "${m.file}" is not a file`);
      size = s.size;
      mtime = s.mtimeMs;
    } catch {
      return fail(`the model file "${m.file}" was not found beside the manifest`);
    }
    if (m.sha256) {
      const key = `${file}:${size}:${mtime}`;
      let got = this.hashes.get(key);
      if (!got) {
        try {
          got = await sha256(file);
        } catch (e) {
          return fail(`the model file "${m.file}" cannot be read: ${oneLine(e)}`);
        }
        this.hashes.set(key, got);
      }
      if (!got.startsWith(m.sha256.toLowerCase())) return fail(`sha256 mismatch: the manifest says ${m.sha256.slice(0, 12)}…, the file is ${got.slice(0, 12)}…`);
    }
    let session: OnnxSession;
    try {
      session = await this.runtime.load(file);
    } catch (e) {
      return fail(`onnxruntime cannot load "${m.file}": ${oneLine(e)}`);
    }
    const io = checkModelIo(m, session.inputs, session.outputs);
    if (io) {
      await session.release();
      return fail(io);
    }
    return { ok: true, model: { entry: { ...entry, status: 'ok', error: null }, manifest: m, session } };
  }
}

function sha256(file: string): Promise<string> {
  return new Promise((res, rej) => {
    const h = createHash('sha256');
    createReadStream(file)
      .on('data', (c) => h.update(c))
      .on('error', rej)
      .on('end', () => res(h.digest('hex')));
  });
}
