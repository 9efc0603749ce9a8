// Log queries over real log files: Vigil's rotating pino log written by the real logger, ffmpeg lines split out with
// their levels normalised, filters, the 2000 cap, and script logs by category with path checks.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRootLogger } from '../../src-main/repositories/logger';
import { NodeLogFilesRepository } from '../../src-main/repositories/log-files.repository';
import { LogsService } from '../../src-main/services/logs/logs.service';
import { ffmpegLevel, parseLine } from '../../src-main/services/logs/log-entries';
import { ApiError } from '../../src-main/shared/errors';

let dir: string;
let logs: LogsService;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-logs-'));
  const { root, close } = createRootLogger({ dataDir: dir, stdout: false, level: 'debug' });
  const api = root.child({ module: 'cameras' });
  api.info('camera added');
  api.warn({ err: new Error('probe timed out') }, 'probe failed');
  const cam = root.child({ camera_id: 7 });
  cam.warn({ line: '[rtsp @ 0x1] [error] method DESCRIBE failed: 401 Unauthorized' }, 'ffmpeg');
  cam.warn({ line: '[info] Stream #0:0: Video: h264' }, 'ffmpeg');
  for (let i = 0; i < 2100; i++) root.child({ module: 'recording' }).debug(`segment ${i} indexed`);
  root.child({ module: 'presence' }).error('presence sensor lost');
  await new Promise((r) => setTimeout(r, 300));
  close();
  await new Promise((r) => setTimeout(r, 300));
  mkdirSync(join(dir, 'logs', 'install'), { recursive: true });
  mkdirSync(join(dir, 'logs', 'update'), { recursive: true });
  mkdirSync(join(dir, 'logs', 'api'), { recursive: true });
  writeFileSync(join(dir, 'logs', 'install', '2026-04-01_09-51-07.log'), 'installing…\ndone\n');
  writeFileSync(join(dir, 'logs', 'update', '2026-04-02_10-00-00.log'), 'updated\n');
  writeFileSync(join(dir, 'logs', 'api', 'ignored.log'), 'x');
  utimesSync(join(dir, 'logs', 'install', '2026-04-01_09-51-07.log'), 1000, 1000);
  writeFileSync(join(dir, 'secret.txt'), 'not a log');
  symlinkSync(join(dir, 'secret.txt'), join(dir, 'logs', 'update', 'leak.log'));
  logs = new LogsService(new NodeLogFilesRepository(dir));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('logs', () => {
  it('answers Vigil entries newest first with level, source and message, filtered and capped at 2000', () => {
    const all = logs.entries('api', { limit: 5000 });
    expect(all).toHaveLength(2000);
    expect(all[0]).toMatchObject({ level: 'ERROR', source: 'presence', message: 'presence sensor lost' });
    expect(all[1]).toMatchObject({ level: 'DEBUG', source: 'recording', message: 'segment 2099 indexed' });
    expect(Date.parse(all[0]!.ts)).toBeGreaterThanOrEqual(Date.parse(all[1]!.ts));
    expect(logs.entries('api', { limit: 10, level: 'WARNING' })).toEqual([expect.objectContaining({ source: 'cameras', message: 'probe failed: probe timed out' })]);
    expect(logs.entries('api', { limit: 10, search: 'CAMERA ADDED' }).map((e) => e.message)).toEqual(['camera added']);
    expect(logs.entries('api', { limit: 3 })).toHaveLength(3);
    expect(logs.entries('api', { limit: 10 }).some((e) => e.message.includes('DESCRIBE'))).toBe(false);
  });

  it('answers ffmpeg lines as the media log with levels normalised from their prefixes', () => {
    const media = logs.entries('media', { limit: 500 });
    expect(media.map((e) => [e.level, e.source])).toEqual([
      ['INFO', 'camera 7'],
      ['ERROR', 'camera 7'],
    ]);
    expect(logs.entries('media', { limit: 500, level: 'ERROR', search: 'describe' })).toHaveLength(1);
    expect(ffmpegLevel('[x] [warning] y')).toBe('WARNING');
    expect(ffmpegLevel('[verbose] y')).toBe('DEBUG');
    expect(ffmpegLevel('no prefix')).toBeNull();
    expect(parseLine('not json', 'api')).toBeNull();
    expect(parseLine('{"msg":"no time"}', 'api')).toBeNull();
  });

  it('lists other log folders by category, newest first, and reads one; names are checked and a symlink out is refused', () => {
    const list = logs.scripts();
    const names = list.map((f) => f.name);
    expect(names.indexOf('update/2026-04-02_10-00-00.log')).toBeLessThan(names.indexOf('install/2026-04-01_09-51-07.log'));
    expect(list.find((f) => f.name === 'install/2026-04-01_09-51-07.log')).toMatchObject({ category: 'install', size: Buffer.byteLength('installing…\ndone\n') });
    expect(list.some((f) => f.category === 'api')).toBe(false);
    expect(logs.script('install', '2026-04-01_09-51-07.log')).toBe('installing…\ndone\n');
    const refused = (c: string, f: string) => {
      try {
        logs.script(c, f);
        return null;
      } catch (e) {
        return e instanceof ApiError ? e.status : -1;
      }
    };
    expect(refused('install', 'nope.log')).toBe(404);
    expect(refused('update', 'leak.log')).toBe(404);
    for (const [c, f] of [['..', 'secret.txt'], ['install', '../../secret.txt'], ['install', '.hidden'], ['install', 'a/b'], ['in stall', 'x.log']] as const) expect(refused(c, f), `${c}/${f}`).toBe(400);
  });
});
