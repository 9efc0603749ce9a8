// Unit: the one credentials module: split, merge, resolve (separate credentials win), mask and redact.
import { describe, expect, it } from 'vitest';
import { hasCredentials, maskUrl, redact, redactArgs, resolveCredentials, splitCredentials } from '../../src-main/shared/credentials';

describe('resolveCredentials', () => {
  it('separate credentials win over userinfo; the URL comes back clean', () => {
    expect(resolveCredentials('rtsp://a:b@h/s', 'c', 'd')).toEqual({ url: 'rtsp://h/s', username: 'c', password: 'd' });
    expect(resolveCredentials('http://u:p%40@cam:8080/snap.jpg', null, null)).toEqual({ url: 'http://cam:8080/snap.jpg', username: 'u', password: 'p@' });
    expect(resolveCredentials('rtsp://h/s', null, null)).toEqual({ url: 'rtsp://h/s', username: null, password: null });
    expect(hasCredentials(resolveCredentials('rtsp://h/s', null, null))).toBe(false);
    expect(hasCredentials(resolveCredentials('rtsp://h/s', 'admin', null))).toBe(true);
  });
  it('leaves file paths and pattern URLs alone', () => {
    expect(splitCredentials('/media/a@b.avi')).toEqual({ url: '/media/a@b.avi', username: null, password: null });
    expect(resolveCredentials('pattern://testsrc2', null, null).url).toBe('pattern://testsrc2');
  });
});

describe('redact', () => {
  it('hides userinfo, Authorization values (Basic and Digest) and given secrets, raw or percent-encoded', () => {
    expect(redact('rtsp://admin:hunter2@10.0.0.5/s: Connection refused')).toBe('rtsp://***@10.0.0.5/s: Connection refused');
    expect(redact('Authorization: Basic YWRtaW46aHVudGVyMg==')).toBe('Authorization: Basic ***');
    expect(redact('Authorization: Digest username="admin", response="abc"')).toBe('Authorization: Digest ***');
    expect(redact('bad password p@ss:w/rd and p%40ss%3Aw%2Frd', ['p@ss:w/rd'])).toBe('bad password *** and ***');
    expect(redact('401 Unauthorized (authorization failed)')).toBe('401 Unauthorized (authorization failed)');
  });
  it('redactArgs quotes arguments with spaces and masks URLs', () => {
    const line = redactArgs(['ffmpeg', '-i', 'rtsp://admin:hunter2@10.0.0.5:554/s', '-vf', 'scale=1:2, fps=1']);
    expect(line).toBe('ffmpeg -i rtsp://***@10.0.0.5:554/s -vf "scale=1:2, fps=1"');
  });
  it('maskUrl shows *** where credentials are, even when stored separately', () => {
    expect(maskUrl('rtsp://host/s', true)).toBe('rtsp://***@host/s');
    expect(maskUrl('rtsp://u:p@host/s')).toBe('rtsp://***@host/s');
  });
});
