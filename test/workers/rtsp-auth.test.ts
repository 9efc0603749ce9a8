// Integration: RTSP cameras with Basic and with Digest credentials record and deliver frames through the loopback auth relay;
// no process on the machine ever has the password in its arguments (ingest and probe), and a wrong password is an auth error
// that never shows in any process's arguments or in the logs.
// real: ffmpeg, ffprobe, GStreamer RTSP server with RTSPAuth on 127.0.0.1, the relay, /proc, pino. mock: nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SourceProbeRepository, type ProbeResult } from '../../src-main/repositories/ffmpeg/probe.repository';
import { NodeCameraNetRepository } from '../../src-main/repositories/net/camera-net.repository';
import { IngestBus } from '../../src-main/services/ingest-bus';
import type { ClosedSegment } from '../../src-main/ports/ingest.port';
import { PushBus } from '../../src-main/services/push-bus';
import type { WorkerState } from '../../src-main/shared/contract/system.contract';
import { defaultSettings } from '../../src-main/shared/settings';
import { WorkerManager } from '../../src-main/workers/worker-manager';
import { processesWith, secretForms } from '../support/process-args';
import { startRtspServer, type RtspServer } from '../support/rtsp-server';
import { ffmpegProcesses, jpegSize, runtime, waitFor } from './harness';

const USER = 'viewer';

interface Rig {
  rtsp: RtspServer;
  password: string;
  manager: WorkerManager;
  probe: SourceProbeRepository;
  states: WorkerState[];
  segments: ClosedSegment[];
  logs: string[];
  dataDir: string;
}

async function rig(method: 'basic' | 'digest'): Promise<Rig> {
  // Distinctive, with characters that need percent-encoding in a URL.
  const password = `Pw:${method}@${randomBytes(6).toString('hex')}`;
  const rtsp = await startRtspServer({ auth: { method, username: USER, password } });
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-rtsp-auth-'));
  const logs: string[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => void logs.push(line) });
  const states: WorkerState[] = [];
  const segments: ClosedSegment[] = [];
  const ingest = new IngestBus();
  ingest.on('segment', (s) => segments.push(s));
  const bus = new PushBus();
  bus.subscribe((m) => {
    if (m.name === 'worker.state') states.push(m.payload as WorkerState);
  });
  const settings = { ...defaultSettings(), segment_seconds: 2, analysis_fps: 1, live_mjpeg_fps: 5 };
  const manager = new WorkerManager({ dataDir, ffmpeg: () => ({ path: '/usr/bin/ffmpeg', ffprobe: '/usr/bin/ffprobe' }), settings: () => settings, ingest, bus, log, options: { stopGraceMs: 2000 } });
  const probe = new SourceProbeRepository(() => '/usr/bin/ffprobe', new NodeCameraNetRepository(), log);
  return { rtsp, password, manager, probe, states, segments, logs, dataDir };
}

/** Runs `work` while scanning every process's arguments for the secrets; returns what `work` gave and every hit. */
async function scanning<T>(secrets: string[], work: Promise<T>, seen?: (args: string) => void): Promise<{ value: T; hits: string[] }> {
  const hits: string[] = [];
  let done = false;
  const value = work.finally(() => (done = true));
  while (!done) {
    for (const p of await processesWith(['ffmpeg', 'ffprobe', 'rtsp', ...secrets])) {
      if (secrets.some((s) => p.args.includes(s))) hits.push(`${p.pid}: ${p.args}`);
      seen?.(p.args);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  return { value: await value, hits };
}

for (const method of ['basic', 'digest'] as const) {
  describe(`rtsp camera with ${method} credentials`, () => {
    let r: Rig;
    beforeAll(async () => {
      r = await rig(method);
    });
    afterAll(async () => {
      await r?.manager.stopAll();
      await r?.rtsp.stop();
      if (r) rmSync(r.dataDir, { recursive: true, force: true });
    });

    it('records and delivers frames through the relay; no process has the password in its arguments, during ingest or a probe', async () => {
      const secrets = secretForms(USER, r.password);
      // Set to UDP: with credentials the relay still runs it over TCP.
      r.manager.start(runtime(1, 'rtsp', r.rtsp.url, { username: USER, password: r.password, rtspTransport: 'udp' }));
      r.manager.onFrame(1, () => undefined);
      const frame = await waitFor('a JPEG through the relay', () => r.manager.latest(1), 20_000);
      expect(jpegSize(frame.jpeg)).toEqual({ width: 768, height: 576 });
      await waitFor('a recorded segment', () => r.segments.find((s) => s.camera_id === 1), 20_000);
      expect(r.manager.health(1)!.state).toMatchObject({ state: 'running', last_error: null });

      const [ffmpeg] = ffmpegProcesses(r.dataDir).filter((p) => p.pid === r.manager.pid(1));
      expect(ffmpeg?.args).toMatch(/-rtsp_transport tcp .*-i rtsp:\/\/127\.0\.0\.1:\d+\/[0-9a-f]{32}\/cam /);
      expect(ffmpeg?.args).not.toContain(`:${r.rtsp.port}/`);
      expect(await processesWith(secrets)).toEqual([]);
      expect(r.logs.join('')).toContain('RTSP runs over TCP through the local credential relay');

      let probeSeen = false;
      const { value: probed, hits } = await scanning<ProbeResult>(
        secrets,
        r.probe.probe({ kind: 'rtsp', url: r.rtsp.url, username: USER, password: r.password, rtspTransport: 'udp', timeoutMs: 8000 }),
        (args) => (probeSeen ||= args.includes('ffprobe') && /rtsp:\/\/127\.0\.0\.1:\d+\/[0-9a-f]{32}\/cam/.test(args)),
      );
      expect(probed).toMatchObject({ ok: true, codec: 'h264', width: 768, height: 576, error: null });
      expect(hits).toEqual([]);
      // The scan really ran while ffprobe existed: it saw ffprobe reading the relay.
      expect(probeSeen).toBe(true);
    });

    it('a wrong password gives an auth error, and never appears in any process arguments or in the logs', async () => {
      const wrong = `Wrong:${method}@${randomBytes(6).toString('hex')}`;
      const secrets = [...secretForms(USER, wrong), ...secretForms(USER, r.password)];
      const { hits } = await scanning(
        secrets,
        (async () => {
          r.manager.start(runtime(2, 'rtsp', r.rtsp.url, { username: USER, password: wrong }));
          return waitFor('an auth error', () => r.states.find((s) => s.camera_id === 2 && (s.last_error ?? '').startsWith('auth:')), 20_000);
        })(),
      );
      expect(hits).toEqual([]);
      expect(r.states.find((s) => s.camera_id === 2 && s.last_error?.startsWith('auth:'))?.last_error).toBe('auth: the camera refused the credentials');
      expect(r.manager.latest(2)).toBeNull();
      await r.manager.stop(2);

      const probed = await r.probe.probe({ kind: 'rtsp', url: r.rtsp.url, username: USER, password: wrong, rtspTransport: 'tcp', timeoutMs: 8000 });
      expect(probed.ok).toBe(false);
      expect(probed.error).toBe(`rtsp://***@127.0.0.1:${r.rtsp.port}/cam: the camera refused the credentials`);

      const everything = r.logs.join('') + JSON.stringify(r.states);
      for (const s of secrets) expect(everything).not.toContain(s);
    });

    it('stopping the camera closes its relay and the camera session', async () => {
      await r.manager.stop(1);
      await waitFor('the RTSP sessions to close', () => r.rtsp.openConnections() === 0, 10_000);
      expect(ffmpegProcesses(r.dataDir)).toEqual([]);
    });
  });
}
