// The root logger (real: pino + rotating file in a temp dir): JSON lines in <data>/logs/vigil.log, secrets redacted at any of the usual depths.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRootLogger } from '../../src-main/repositories/logger';
import { waitFor } from '../../e2e/support/net';

describe('createRootLogger', () => {
  it('writes JSON lines with the module name and redacts credentials', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-log-'));
    try {
      const { root, close } = createRootLogger({ dataDir: dir, stdout: false });
      const log = root.child({ module: 'probe' });
      log.info({ api_key: 'TOP-KEY', token: 'TOP-TOKEN', camera: { rtsp_url: 'rtsp://u:NESTED@h/s', password: 'NESTED-PW' } }, 'hello');
      close();
      const file = join(dir, 'logs', 'vigil.log');
      const text = await waitFor('the log line to be flushed', () => {
        const t = readFileSync(file, 'utf8');
        return t.includes('hello') ? t : undefined;
      });
      for (const secret of ['TOP-KEY', 'TOP-TOKEN', 'NESTED', 'NESTED-PW']) expect(text).not.toContain(secret);
      const line = JSON.parse(text.trim().split('\n').at(-1) as string) as Record<string, unknown>;
      expect(line).toMatchObject({ module: 'probe', msg: 'hello', api_key: '***', token: '***', camera: { rtsp_url: '***', password: '***' } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
