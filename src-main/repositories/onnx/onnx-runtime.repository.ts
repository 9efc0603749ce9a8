// onnxruntime-node behind an interface: load a session, run it on float32 tensors, list the execution providers that load.
import { readdirSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import type { TensorInfo } from '../../shared/model-manifest';

export interface FloatTensor {
  data: Float32Array;
  dims: readonly number[];
}

export interface OnnxSession {
  readonly inputs: readonly TensorInfo[];
  readonly outputs: readonly TensorInfo[];
  /** The execution provider the session was created with. */
  readonly provider: string;
  run(feeds: Record<string, FloatTensor>, outputs?: readonly string[]): Promise<Record<string, FloatTensor>>;
  release(): Promise<void>;
}

export interface OnnxRuntimeRepository {
  /** Rejects with an Error whose message is one readable line. */
  load(modelPath: string): Promise<OnnxSession>;
  /** Execution providers that actually create a session on this machine (probed once with a one-node model). */
  providers(): Promise<string[]>;
}

export interface OnnxRuntimeOptions {
  /** Intra-op threads per session; 0 or undefined lets onnxruntime choose (one per physical core). */
  threads?: number;
  /** Preference order; the first that loads a model is used, CPU is always the fallback. */
  executionProviders?: readonly string[];
}

/** ORT's own log (stderr) stays quiet: failures reach us as exceptions. */
const LOG_FATAL_ONLY = 3;

/** Only the first line of ORT's messages says what went wrong; the rest is a source location. */
export function oneLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  const line = text.split('\n').find((l) => l.trim()) ?? text;
  return line.replace(/^\s*Error:\s*/, '').replace(/\/onnxruntime_src\/\S+\s*/g, '').trim().slice(0, 300);
}

class NodeOnnxSession implements OnnxSession {
  readonly inputs: TensorInfo[];
  readonly outputs: TensorInfo[];

  constructor(
    private readonly s: ort.InferenceSession,
    readonly provider: string,
  ) {
    const info = (m: ort.InferenceSession.ValueMetadata): TensorInfo => (m.isTensor ? { name: m.name, type: m.type, shape: [...m.shape] } : { name: m.name, type: null, shape: [] });
    this.inputs = s.inputMetadata.map(info);
    this.outputs = s.outputMetadata.map(info);
  }

  async run(feeds: Record<string, FloatTensor>, outputs?: readonly string[]): Promise<Record<string, FloatTensor>> {
    const f: Record<string, ort.Tensor> = {};
    for (const [k, v] of Object.entries(feeds)) f[k] = new ort.Tensor('float32', v.data, v.dims);
    const r = outputs ? await this.s.run(f, [...outputs]) : await this.s.run(f);
    const out: Record<string, FloatTensor> = {};
    for (const [k, v] of Object.entries(r)) {
      const t = v as ort.Tensor;
      if (t.type !== 'float32') throw new Error(`output "${k}" is ${t.type}; only float32 outputs are supported`);
      out[k] = { data: t.data as Float32Array, dims: t.dims };
    }
    return out;
  }

  async release(): Promise<void> {
    await this.s.release();
  }
}

function hasRenderNode(): boolean {
  try {
    return readdirSync('/dev/dri').some((n) => n.startsWith('renderD'));
  } catch {
    return false;
  }
}

export class NodeOnnxRuntimeRepository implements OnnxRuntimeRepository {
  private probed: Promise<string[]> | null = null;

  constructor(private readonly opts: OnnxRuntimeOptions = {}) {
    ort.env.logLevel = 'fatal';
  }

  private options(provider: string): ort.InferenceSession.SessionOptions {
    return {
      executionProviders: [provider],
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
      interOpNumThreads: 1,
      ...(this.opts.threads ? { intraOpNumThreads: this.opts.threads } : {}),
      logSeverityLevel: LOG_FATAL_ONLY,
    };
  }

  async load(modelPath: string): Promise<OnnxSession> {
    const wanted = [...(this.opts.executionProviders ?? []).filter((p) => p !== 'cpu'), 'cpu'];
    let last: unknown = null;
    for (const p of wanted) {
      try {
        return new NodeOnnxSession(await ort.InferenceSession.create(modelPath, this.options(p)), p);
      } catch (e) {
        last = e;
      }
    }
    throw new Error(oneLine(last));
  }

  providers(): Promise<string[]> {
    this.probed ??= this.probe();
    return this.probed;
  }

  private async probe(): Promise<string[]> {
    const model = identityModel();
    const ok: string[] = [];
    for (const b of ort.listSupportedBackends()) {
      // Without a render node WebGPU cannot load on Linux, and trying prints Vulkan errors to stderr on every start.
      if (b.name === 'webgpu' && process.platform === 'linux' && !hasRenderNode()) continue;
      try {
        const s = await ort.InferenceSession.create(model, this.options(b.name));
        await s.release();
        ok.push(b.name);
      } catch {
        // An execution provider that cannot create a session is not reported.
      }
    }
    return ok;
  }
}

// A minimal ONNX model (one Identity node, float32 [1]) encoded by hand, so probing needs no file.
function identityModel(): Uint8Array {
  const varint = (n: number): number[] => {
    const out: number[] = [];
    while (n > 0x7f) {
      out.push((n & 0x7f) | 0x80);
      n >>>= 7;
    }
    out.push(n);
    return out;
  };
  const field = (no: number, bytes: number[]): number[] => [...varint((no << 3) | 2), ...varint(bytes.length), ...bytes];
  const num = (no: number, v: number): number[] => [...varint(no << 3), ...varint(v)];
  const str = (no: number, s: string): number[] => field(no, [...new TextEncoder().encode(s)]);
  const valueInfo = (n: string): number[] => [...str(1, n), ...field(2, field(1, [...num(1, 1), ...field(2, field(1, num(1, 1)))]))];
  const node = [...str(1, 'x'), ...str(2, 'y'), ...str(4, 'Identity')];
  const graph = [...field(1, node), ...str(2, 'probe'), ...field(11, valueInfo('x')), ...field(12, valueInfo('y'))];
  return new Uint8Array([...num(1, 7), ...field(7, graph), ...field(8, num(2, 13))]);
}
