// Integration (real: app + fastify on 127.0.0.1:0, SQLite file in a temp dir; mock: none): error shapes, OpenAPI, Swagger UI.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contract, opNames, restOpNames } from '../../src-main/shared/contract';
import { removeDir, startTestApp, type TestApp } from './app-harness';

const json = { 'content-type': 'application/json' };

describe('REST error shapes, OpenAPI and docs', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.stop();
    removeDir(t.dataDir);
  });

  it('gives 422 with FastAPI-style field paths for invalid input', async () => {
    const res = await t.req('/api/settings', { method: 'PUT', headers: json, body: JSON.stringify({ live_mjpeg_fps: 'fast', segment_seconds: 0 }) });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { detail: { loc: (string | number)[]; msg: string; type: string }[] };
    const locs = body.detail.map((d) => d.loc.join('.'));
    expect(locs).toContain('body.live_mjpeg_fps');
    expect(locs).toContain('body.segment_seconds');
    for (const d of body.detail) {
      expect(typeof d.msg).toBe('string');
      expect(typeof d.type).toBe('string');
    }
    const unknown = await t.req('/api/settings', { method: 'PUT', headers: json, body: JSON.stringify({ no_such_setting: 1 }) });
    expect(unknown.status).toBe(422);
    const nonObject = await t.req('/api/settings', { method: 'PUT', headers: json, body: '[1,2]' });
    expect(nonObject.status).toBe(422);
    expect(((await nonObject.json()) as { detail: { loc: string[] }[] }).detail[0]?.loc).toEqual(['body']);
  });

  it('locates path parameters in 422s', async () => {
    const res = await t.req('/api/cameras/not-a-number');
    expect(res.status).toBe(422);
    const body = (await res.json()) as { detail: { loc: (string | number)[] }[] };
    expect(body.detail[0]?.loc).toEqual(['path', 'id']);
  });

  it('gives 400 for a malformed JSON body, never 500', async () => {
    for (const body of ['{"live_mjpeg_fps": ', '{oops}', '']) {
      const res = await t.req('/api/settings', { method: 'PUT', headers: json, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(typeof ((await res.json()) as { detail: unknown }).detail).toBe('string');
    }
  });

  it('gives a 404 JSON body for an unknown /api route', async () => {
    for (const [method, path] of [
      ['GET', '/api/does-not-exist'],
      ['POST', '/api/system'],
      ['GET', '/api'],
    ] as const) {
      const res = await t.req(path, { method, headers: method === 'POST' ? json : {}, body: method === 'POST' ? '{}' : undefined });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await res.json()).toEqual({ detail: 'Not Found' });
    }
  });

  it('publishes /openapi.json with every contract route and its doc line', async () => {
    const res = await t.req('/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, { description: string; operationId?: string }>> };
    expect(doc.openapi).toBe('3.1.0');
    for (const name of opNames) {
      const def = contract[name];
      const entry = doc.paths[def.path]?.[def.method.toLowerCase()];
      // Owner-level IPC-only operations (which ffmpeg runs) have no REST route and are not documented as one.
      if (!restOpNames.includes(name)) {
        expect(entry, `${name} must not be served over REST`).toBeUndefined();
        continue;
      }
      expect(entry, `${name} ${def.method} ${def.path}`).toBeDefined();
      expect(entry?.description).toBe(def.doc);
      expect(entry?.operationId).toBe(name);
      expect(def.doc.length).toBeGreaterThan(10);
    }
    for (const raw of ['/login', '/api/auth/login', '/api/auth/logout', '/api/push']) expect(doc.paths[raw], raw).toBeDefined();
  });

  it('serves Swagger UI at /docs', async () => {
    const res = await t.req('/docs');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toMatch(/swagger-ui/i);
    const init = await t.req('/docs/static/swagger-initializer.js');
    expect(init.status).toBe(200);
  });
});
