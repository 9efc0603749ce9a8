// Integration (real: the HTTP server, SSE over a TCP socket that stops reading; mock: none).
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startTestApp, type TestApp } from './app-harness';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});

afterAll(async () => {
  await t?.stop();
  if (t) removeDir(t.dataDir);
});

describe('SSE /api/push', () => {
  it('drops a client that stops reading instead of buffering every event for it in memory', async () => {
    const bus = t.app.container.bus;
    const before = bus.size;
    const url = new URL(t.base);
    const sock = connect(Number(url.port), url.hostname);
    sock.on('error', () => undefined);
    await new Promise<void>((r) => sock.once('connect', () => r()));
    sock.write(`GET /api/push HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${t.key}\r\n\r\n`);
    const deadline = Date.now() + 5000;
    while (bus.size === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(bus.size).toBe(before + 1);
    sock.pause();
    const detail = 'x'.repeat(64 * 1024);
    for (let i = 0; i < 600 && bus.size > before; i++) {
      bus.emit('export.progress', { export_id: 'slow', percent: 1, state: 'running', detail });
      if (i % 20 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    const end = Date.now() + 5000;
    while (bus.size > before && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    expect(bus.size).toBe(before);
    sock.destroy();
  });
});
