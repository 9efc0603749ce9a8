// A host process that dies hard (SIGKILL, no cleanup) leaves no orphan ffmpeg: the child exits on its broken pipes.
// real: node child process running a WorkerManager, ffmpeg, process table. mock: nothing.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ffmpegProcesses, waitFor } from './harness';

const dataDir = mkdtempSync(join(tmpdir(), 'vigil-orphan-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('hard host death', () => {
  it('ffmpeg exits by itself when its Node host is SIGKILLed', async () => {
    const host = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'orphan-host.ts'), dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    host.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      const pid = Number(await waitFor('the ffmpeg pid', () => /FFMPEG_PID (\d+)/.exec(out)?.[1], 30_000));
      expect(ffmpegProcesses(dataDir).map((p) => p.pid)).toEqual([pid]);
      host.kill('SIGKILL');
      await new Promise((r) => host.once('exit', r));
      await waitFor('ffmpeg to exit after its host died', () => ffmpegProcesses(dataDir).length === 0, 15_000);
    } finally {
      if (host.exitCode === null && host.signalCode === null) host.kill('SIGKILL');
      // Never leave a child behind even if the assertion failed.
      for (const p of ffmpegProcesses(dataDir)) process.kill(p.pid, 'SIGKILL');
    }
  });
});
