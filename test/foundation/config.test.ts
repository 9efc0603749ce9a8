// Unit tests of CLI/env configuration parsing (pure).
import { describe, expect, it } from 'vitest';
import { ConfigError, isLoopback, parseConfig, vigilArgs } from '../../src-main/app/config';

const base = { resourcesDir: '/r', rendererDir: null, electron: null };

describe('parseConfig', () => {
  it('defaults to 127.0.0.1:8787 with demo cameras', () => {
    const c = parseConfig([], {}, base);
    expect(c).toMatchObject({ host: '127.0.0.1', port: 8787, demo: true, apiKey: null });
    expect(c.dataDir).toMatch(/vigil|Vigil/);
  });

  it('reads flags in both forms, and env vars as fallbacks', () => {
    expect(parseConfig(['--port', '0', '--data-dir', '/tmp/x', '--host=0.0.0.0', '--no-demo'], {}, base)).toMatchObject({ port: 0, dataDir: '/tmp/x', host: '0.0.0.0', demo: false });
    expect(parseConfig(['--port=9000'], { VIGIL_PORT: '1' }, base).port).toBe(9000);
    expect(parseConfig([], { VIGIL_PORT: '9001', VIGIL_DATA_DIR: '/d', VIGIL_NO_DEMO: '1', VIGIL_API_KEY: ' 0123456789abcdefXYZ ' }, base)).toMatchObject({
      port: 9001,
      dataDir: '/d',
      demo: false,
      apiKey: '0123456789abcdefXYZ',
    });
  });

  it('rejects bad ports, unknown flags, missing values and short keys', () => {
    for (const argv of [['--port', '70000'], ['--port', '-1'], ['--port', 'x'], ['--prot', '1'], ['--data-dir'], ['--data-dir', '--no-demo']]) {
      expect(() => parseConfig(argv, {}, base), argv.join(' ')).toThrow(ConfigError);
    }
    expect(() => parseConfig([], { VIGIL_API_KEY: 'short' }, base)).toThrow(/at least 16/);
  });

  it('knows loopback addresses', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) expect(isLoopback(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '192.168.1.5', '10.0.0.1']) expect(isLoopback(h), h).toBe(false);
  });

  it('vigilArgs keeps Vigil flags with their values out of an Electron argv', () => {
    expect(vigilArgs(['.', '--enable-logging', '--port', '0', '--data-dir=/d', '--no-demo', '--host', '127.0.0.1', '--inspect=9229', 'extra'])).toEqual([
      '--port',
      '0',
      '--data-dir=/d',
      '--no-demo',
      '--host',
      '127.0.0.1',
    ]);
    expect(parseConfig(vigilArgs(['.', '--port', '0', '--data-dir', '/x']), {}, base)).toMatchObject({ port: 0, dataDir: '/x' });
  });
});
