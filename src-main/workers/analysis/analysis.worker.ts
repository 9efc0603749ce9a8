// Entry of the analysis worker thread (bundled as out/main/analysis-worker.js): wires the worker core to its parent port.
import { parentPort, workerData } from 'node:worker_threads';
import { ModelRegistry } from '../../repositories/onnx/model-registry.repository';
import { NodeOnnxRuntimeRepository } from '../../repositories/onnx/onnx-runtime.repository';
import { AnalysisWorkerCore, type WorkerPayload } from './analysis-worker-core';
import type { AnalysisWorkerData, HostMessage } from './analysis-worker.protocol';

const port = parentPort;
if (!port) throw new Error('the analysis worker must run in a worker thread');
const data = workerData as AnalysisWorkerData;
const runtime = new NodeOnnxRuntimeRepository({ threads: data.threads, executionProviders: data.executionProviders });
let seq = 0;
const send = (m: WorkerPayload): void => port.postMessage({ ...m, seq: ++seq });
const core = new AnalysisWorkerCore(new ModelRegistry(data.modelDirs, runtime), runtime, send);

// Requests run one at a time in arrival order (a model switch lands between two frames); pings skip the queue.
let queue: Promise<void> = Promise.resolve();
port.on('message', (m: HostMessage) => {
  if (m.type === 'ping') {
    void core.handle(m);
    return;
  }
  queue = queue
    .then(() => core.handle(m))
    .catch((e: unknown) => send({ type: 'error', re: m.seq, error: { kind: m.type === 'load' ? 'model-load' : 'inference', message: e instanceof Error ? e.message : String(e) } }))
    .then(() => {
      // Ending the thread while onnxruntime still has a run in flight aborts the whole process, so the thread only
      // ends here, between jobs, with its sessions released.
      if (m.type === 'shutdown') port.close();
      if (m.type === 'crash') {
        setImmediate(() => {
          throw new Error(m.reason);
        });
      }
    });
});
send({ type: 'ready' });
