// Child-process host for the orphan test: runs a WorkerManager with one pattern camera and prints its ffmpeg pid.
import { silentLogger } from '../../src-main/repositories/logger';
import { IngestBus } from '../../src-main/services/ingest-bus';
import { PushBus } from '../../src-main/services/push-bus';
import { defaultSettings } from '../../src-main/shared/settings';
import { WorkerManager } from '../../src-main/workers/worker-manager';

const dataDir = process.argv[2]!;
const settings = { ...defaultSettings(), segment_seconds: 2 };
const m = new WorkerManager({ dataDir, ffmpeg: () => ({ path: '/usr/bin/ffmpeg', ffprobe: null }), settings: () => settings, ingest: new IngestBus(), bus: new PushBus(), log: silentLogger() });
m.start({ id: 1, kind: 'pattern', url: '', username: null, password: null, rtspTransport: 'tcp', snapshotFps: 1, record: true });
const off = m.onFrame(1, () => {
  off();
  process.stdout.write(`FFMPEG_PID ${m.pid(1)}\n`);
});
setInterval(() => undefined, 1000);
