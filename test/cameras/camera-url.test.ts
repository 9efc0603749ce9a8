// Unit tests for the pure camera-URL rules: kind from scheme, masking, credential split/merge, patterns and the update-echo rule.
import { describe, expect, it } from 'vitest';
import { applySourceUpdate, deriveKind, hostOf, isEcho, kindMatchesUrl, sourceFromInput } from '../../src-main/services/cameras/camera-url';
import { maskUrl, mergeCredentials, redact, splitCredentials } from '../../src-main/shared/credentials';
import { filePathOf, patternLavfi, patternOf } from '../../src-main/shared/source-url';

describe('deriveKind', () => {
  it('maps schemes to source kinds', () => {
    expect(deriveKind('rtsp://h/s')).toBe('rtsp');
    expect(deriveKind('RTSPS://h/s')).toBe('rtsp');
    expect(deriveKind('http://h/snap.jpg')).toBe('http');
    expect(deriveKind('https://h/video.mjpg')).toBe('http');
    expect(deriveKind('file:///v/a.avi')).toBe('file');
    expect(deriveKind('/v/a.avi')).toBe('file');
    expect(deriveKind('pattern://testsrc2')).toBe('pattern');
    expect(deriveKind('ftp://h/x')).toBeNull();
    expect(deriveKind('relative/path.avi')).toBeNull();
  });
  it('accepts mjpeg for http urls only', () => {
    expect(kindMatchesUrl('mjpeg', 'http://h/x')).toBe(true);
    expect(kindMatchesUrl('mjpeg', 'rtsp://h/x')).toBe(false);
    expect(kindMatchesUrl('file', '/x.avi')).toBe(true);
  });
});

describe('masking', () => {
  it('replaces userinfo with *** and keeps host and path', () => {
    expect(maskUrl('rtsp://user:pass@host/s')).toBe('rtsp://***@host/s');
    expect(maskUrl('rtsp://user@10.0.0.2:554/s?a=1')).toBe('rtsp://***@10.0.0.2:554/s?a=1');
    expect(maskUrl('rtsp://host/s')).toBe('rtsp://host/s');
    expect(maskUrl('rtsp://host/s', true)).toBe('rtsp://***@host/s');
    expect(maskUrl('/var/v.avi', true)).toBe('/var/v.avi');
  });
  it('handles passwords containing @ and : (percent-encoded or not)', () => {
    const s = splitCredentials('rtsp://admin:p@ss:w0rd@cam.local:554/h264');
    expect(s).toEqual({ url: 'rtsp://cam.local:554/h264', username: 'admin', password: 'p@ss:w0rd' });
    const merged = mergeCredentials(s.url, s);
    expect(merged).toBe('rtsp://admin:p%40ss%3Aw0rd@cam.local:554/h264');
    expect(splitCredentials(merged)).toEqual(s);
    expect(maskUrl(merged)).toBe('rtsp://***@cam.local:554/h264');
  });
  it('redacts credentials from free text', () => {
    const t = redact('rtsp://admin:hunter22@1.2.3.4/s: 401 Unauthorized (hunter22)', ['hunter22']);
    expect(t).not.toContain('hunter22');
    expect(t).toContain('rtsp://***@1.2.3.4/s');
  });
  it('hostOf ignores credentials and lowercases', () => {
    expect(hostOf('rtsp://u:p@CAM:554/x')).toBe('cam:554');
    expect(hostOf('/x.avi')).toBe('');
  });
});

describe('update-echo rule', () => {
  const stored = { url: 'rtsp://cam:554/s', username: 'admin', password: 'secret' };
  it('blank or *** keeps the stored URL and credentials', () => {
    expect(isEcho('')).toBe(true);
    expect(isEcho('  ')).toBe(true);
    expect(isEcho('rtsp://***@cam:554/s')).toBe(true);
    expect(isEcho(undefined)).toBe(true);
    for (const v of ['', 'rtsp://***@cam:554/s', undefined]) {
      const r = applySourceUpdate(stored, { rtsp_url: v });
      expect(r).toEqual({ next: stored, repointed: false, changed: false });
    }
  });
  it('a real URL with userinfo replaces URL and credentials', () => {
    const r = applySourceUpdate(stored, { rtsp_url: 'rtsp://bob:pw2@other:554/t' });
    expect(r.next).toEqual({ url: 'rtsp://other:554/t', username: 'bob', password: 'pw2' });
    expect(r.repointed).toBe(true);
  });
  it('a new path on the same host keeps the credentials; another host drops them', () => {
    expect(applySourceUpdate(stored, { rtsp_url: 'rtsp://cam:554/s2' }).next).toEqual({ url: 'rtsp://cam:554/s2', username: 'admin', password: 'secret' });
    expect(applySourceUpdate(stored, { rtsp_url: 'rtsp://evil:554/s' }).next).toEqual({ url: 'rtsp://evil:554/s', username: null, password: null });
  });
  it('credential-only changes are not a repoint', () => {
    const r = applySourceUpdate(stored, { password: 'new' });
    expect(r).toEqual({ next: { ...stored, password: 'new' }, repointed: false, changed: true });
    expect(applySourceUpdate(stored, { password: '***' }).changed).toBe(false);
    expect(applySourceUpdate(stored, { password: '' }).changed).toBe(false);
    expect(applySourceUpdate(stored, { username: '' }).next).toEqual({ url: stored.url, username: null, password: null });
  });
});

describe('create input', () => {
  it('separate fields win over userinfo', () => {
    expect(sourceFromInput('rtsp://a:b@h/s', 'c', 'd')).toEqual({ url: 'rtsp://h/s', username: 'c', password: 'd' });
    expect(sourceFromInput('rtsp://a:b@h/s')).toEqual({ url: 'rtsp://h/s', username: 'a', password: 'b' });
    expect(sourceFromInput('rtsp://h/s', undefined, 'orphan')).toEqual({ url: 'rtsp://h/s', username: null, password: null });
  });
  it('parses file and pattern URLs', () => {
    expect(filePathOf('file:///tmp/a%20b.avi')).toBe('/tmp/a b.avi');
    expect(filePathOf('/tmp/x.avi')).toBe('/tmp/x.avi');
    expect(patternOf('pattern://testsrc2')).toBe('testsrc2');
    expect(patternOf('pattern://testsrc2,drawbox')).toBeNull();
    expect(patternOf('pattern://nullsrc')).toBeNull();
    expect(patternOf('pattern:mandelbrot')).toBe('mandelbrot');
  });
  it('the lavfi input runs the pattern the URL names', () => {
    expect(patternLavfi('pattern://mandelbrot')).toBe('mandelbrot=size=640x360:rate=10');
    expect(patternLavfi('pattern://SMPTEBARS')).toBe('smptebars=size=640x360:rate=10');
    expect(patternLavfi('pattern:')).toBe('testsrc2=size=640x360:rate=10');
  });
});
