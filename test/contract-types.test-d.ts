// Type test (vitest typecheck): the contract's types make a wrong input or a wrong handler output a compile error.
import { describe, expectTypeOf, it } from 'vitest';
import type { Client } from '../src-renderer/src/api/client';
import type { Handler, Handlers, OpInput, OpOutput, OpParsedInput } from '../src-main/shared/contract';

declare const client: Client;

describe('renderer client', () => {
  it('accepts right inputs and types the result from the contract', () => {
    expectTypeOf(client.call('settings.update', { live_mjpeg_fps: 5, ui_grid_layout: '2x2' })).resolves.toEqualTypeOf<OpOutput<'settings.update'>>();
    expectTypeOf(client.call('health.get')).resolves.toHaveProperty('status').toEqualTypeOf<'ok' | 'degraded'>();
    expectTypeOf(client.call('system.get')).resolves.toHaveProperty('data_dir').toBeString();
  });

  it('rejects wrong input types, unknown keys and unknown operations', () => {
    // @ts-expect-error live_mjpeg_fps is a number
    void client.call('settings.update', { live_mjpeg_fps: 'fast' });
    // @ts-expect-error ui_grid_layout is an enum
    void client.call('settings.update', { ui_grid_layout: '5x5' });
    // @ts-expect-error not a setting
    void client.call('settings.update', { no_such_setting: true });
    // @ts-expect-error not a contract operation
    void client.call('fs.readFile', {});
    expectTypeOf<OpInput<'settings.update'>>().toHaveProperty('auth_required').toEqualTypeOf<boolean | undefined>();
  });

  it('requires the input argument when the operation has required fields', () => {
    void client.call('cameras.create', { name: 'Door', rtsp_url: 'rtsp://127.0.0.1:8554/cam' });
    // @ts-expect-error name and rtsp_url are required
    void client.call('cameras.create');
    // @ts-expect-error rtsp_url is required
    void client.call('cameras.create', { name: 'Door' });
    // @ts-expect-error name is a string
    void client.call('cameras.create', { name: 7, rtsp_url: 'rtsp://127.0.0.1:8554/cam' });
  });

  it('types outputs: using a result wrongly does not compile', async () => {
    const health = await client.call('health.get');
    // @ts-expect-error status is a string union, not a number
    const n: number = health.status;
    void n;
    const key = await client.call('auth.apiKey');
    expectTypeOf(key).toEqualTypeOf<{ api_key: string; from_env: boolean }>();
  });
});

describe('Handlers', () => {
  it('accepts a handler whose output matches the contract (sync or async)', () => {
    const ok: Handler<'auth.mediaAccess'> = () => ({ base_url: 'http://127.0.0.1:1', token: 't' });
    const okAsync: Handler<'auth.apiKey'> = async () => ({ api_key: 'k', from_env: false });
    void ok;
    void okAsync;
    expectTypeOf<Parameters<Handler<'settings.update'>>[0]>().toEqualTypeOf<OpParsedInput<'settings.update'>>();
  });

  it('rejects a handler that returns the wrong output type', () => {
    // @ts-expect-error token must be a string
    const wrongField: Handler<'auth.mediaAccess'> = () => ({ base_url: 'http://127.0.0.1:1', token: 42 });
    // @ts-expect-error base_url is required
    const missingField: Handler<'auth.mediaAccess'> = async () => ({ token: 't' });
    // @ts-expect-error status is 'ok' | 'degraded'
    const wrongEnum: Handler<'health.get'> = () => ({ status: 'fine', version: '1', gpu: null, workers: [] });
    void wrongField;
    void missingField;
    void wrongEnum;
  });

  it('rejects a handler that reads an input field the operation does not have', () => {
    // @ts-expect-error settings.update input has no camera_id
    const h: Handler<'settings.update'> = (input) => input.camera_id;
    void h;
  });

  it('requires a handler for every operation', () => {
    // @ts-expect-error an empty object lacks every operation
    const none: Handlers = {};
    void none;
    expectTypeOf<keyof Handlers>().toEqualTypeOf<keyof import('../src-main/shared/contract').Contract>();
  });
});
