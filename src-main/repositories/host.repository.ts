// Host facts for introspection: disk usage, ONNX execution providers and the model files present.
import { existsSync, readdirSync, statfsSync } from 'node:fs';
import { join } from 'node:path';

export interface DiskUsage {
  total_bytes: number;
  free_bytes: number;
  used_bytes: number;
  percent: number;
}

export interface ModelFile {
  name: string;
  path: string;
  found: boolean;
}

/**
 * Disk usage as `df` reports it: capacity is what this user can fill (used + available, excluding
 * root-reserved or quota-withheld blocks), so percent matches df's Use% and retention's max_percent.
 */
export function diskUsageOf(path: string): DiskUsage {
  const s = statfsSync(path);
  const used = (s.blocks - s.bfree) * s.bsize;
  const free = s.bavail * s.bsize;
  const total = used + free;
  return { total_bytes: total, free_bytes: free, used_bytes: used, percent: total > 0 ? Math.round((used / total) * 1000) / 10 : 0 };
}

export interface HostRepository {
  diskUsage(path: string): DiskUsage;
  onnxProviders(): Promise<string[]>;
  models(): ModelFile[];
}

export const DEFAULT_MODELS = ['nanodet-m-416-coco.onnx', 'blazeface-back-256.onnx', 'dlib-resnet-face-128.onnx'];

export class NodeHostRepository implements HostRepository {
  constructor(private readonly modelsDir: string) {}

  diskUsage(path: string): DiskUsage {
    return diskUsageOf(path);
  }

  async onnxProviders(): Promise<string[]> {
    try {
      const ort = await import('onnxruntime-node');
      return ort.listSupportedBackends().map((b) => b.name);
    } catch {
      return [];
    }
  }

  models(): ModelFile[] {
    const present = existsSync(this.modelsDir) ? readdirSync(this.modelsDir).filter((f) => f.endsWith('.onnx')) : [];
    const names = [...new Set([...DEFAULT_MODELS, ...present])];
    return names.map((name) => ({ name, path: join(this.modelsDir, name), found: present.includes(name) }));
  }
}
