// Unit: challenge parsing and Basic/Digest answers, checked against the worked examples of RFC 7616 §3.9.1 and RFC 2617 §3.5.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AuthSession, basicAuthorization, digestResponse, parseChallenges, pickChallenge } from '../../src-main/repositories/net/http-auth';

const RFC7616 = {
  username: 'Mufasa',
  password: 'Circle of Life',
  realm: 'http-auth@example.org',
  nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
  opaque: 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS',
  cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
};
const challenge7616 = (algorithm: string): string =>
  `Digest realm="${RFC7616.realm}", qop="auth, auth-int", algorithm=${algorithm}, nonce="${RFC7616.nonce}", opaque="${RFC7616.opaque}"`;

/** The name="value" parameters of an Authorization: Digest value. */
function params(header: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of header.replace(/^Digest /, '').matchAll(/([\w*]+)=("((?:[^"\\]|\\.)*)"|[^,\s]+)/g)) out[m[1]!] = m[3] ?? m[2]!;
  return out;
}

describe('digest computation', () => {
  it('matches RFC 7616 §3.9.1 for SHA-256 and MD5', () => {
    const base = { ...RFC7616, method: 'GET', uri: '/dir/index.html', qop: 'auth' as const, nc: '00000001' };
    expect(digestResponse({ ...base, algorithm: 'SHA-256' })).toBe('753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
    expect(digestResponse({ ...base, algorithm: 'MD5' })).toBe('8ca523f5e9506fed4657c9700eebdbec');
  });

  it('matches RFC 2617 §3.5 (MD5 without an algorithm parameter)', () => {
    const s = new AuthSession({ username: 'Mufasa', password: 'Circle Of Life' }, () => '0a4f113b');
    expect(s.accept(['Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"'], false)).toBe(true);
    const p = params(s.authorization('GET', '/dir/index.html')!);
    expect(p).toMatchObject({ username: 'Mufasa', realm: 'testrealm@host.com', uri: '/dir/index.html', qop: 'auth', nc: '00000001', cnonce: '0a4f113b', opaque: '5ccc069c403ebaf9f0171e9517f40e41' });
    expect(p.response).toBe('6629fae49393a05397450978507c4ef1');
    expect(p.algorithm).toBeUndefined();
  });

  it('answers a qop-less (RFC 2069) challenge as RTSP servers send it', () => {
    const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
    const s = new AuthSession({ username: 'admin', password: 'pw' });
    s.accept(['Digest realm="GStreamer RTSP Server", nonce="abc123"'], false);
    const p = params(s.authorization('DESCRIBE', 'rtsp://cam:554/s')!);
    expect(p.response).toBe(md5(`${md5('admin:GStreamer RTSP Server:pw')}:abc123:${md5('DESCRIBE:rtsp://cam:554/s')}`));
    expect(p.qop).toBeUndefined();
    expect(p.nc).toBeUndefined();
  });

  it('a session prefers SHA-256, counts nonce uses and starts again on a new nonce', () => {
    const s = new AuthSession({ username: RFC7616.username, password: RFC7616.password }, () => RFC7616.cnonce);
    expect(s.ready).toBe(false);
    expect(s.authorization('GET', '/x')).toBeNull();
    s.accept([challenge7616('MD5'), challenge7616('SHA-256')], false);
    const first = params(s.authorization('GET', '/dir/index.html')!);
    expect(first).toMatchObject({ algorithm: 'SHA-256', nc: '00000001', response: '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1', opaque: RFC7616.opaque });
    expect(params(s.authorization('GET', '/dir/index.html')!).nc).toBe('00000002');
    s.accept([challenge7616('SHA-256').replace(RFC7616.nonce, 'fresh')], true);
    expect(params(s.authorization('GET', '/dir/index.html')!).nc).toBe('00000001');
  });

  it('retries once without credentials sent, again only for a stale nonce, never for refused credentials', () => {
    const s = new AuthSession({ username: 'u', password: 'p' });
    expect(s.accept(['Digest realm="r", nonce="n1", qop="auth"'], false)).toBe(true);
    expect(s.accept(['Digest realm="r", nonce="n1", qop="auth"'], true)).toBe(false);
    expect(s.accept(['Digest realm="r", nonce="n2", qop="auth", stale=TRUE'], true)).toBe(true);
    expect(s.accept(['Negotiate'], false)).toBe(false);
  });
});

describe('challenges', () => {
  it('parses several challenges in one comma-joined value (as fetch joins them) and in separate values', () => {
    const joined = parseChallenges(['Basic realm="cam, front", Digest realm="cam", nonce="n=1", qop="auth", algorithm=MD5']);
    expect(joined).toEqual([
      { scheme: 'basic', params: { realm: 'cam, front' } },
      { scheme: 'digest', params: { realm: 'cam', nonce: 'n=1', qop: 'auth', algorithm: 'MD5' } },
    ]);
    expect(parseChallenges(['Basic realm="a"', 'Digest realm="b", nonce="x"']).map((c) => c.scheme)).toEqual(['basic', 'digest']);
    expect(parseChallenges(['Digest realm="a\\"b", nonce=x'])[0]?.params).toEqual({ realm: 'a"b', nonce: 'x' });
  });

  it('picks Digest SHA-256 over MD5 over Basic and skips what it cannot answer', () => {
    const pick = (v: string) => pickChallenge(parseChallenges([v]));
    expect(pick('Basic realm="a", Digest realm="a", nonce="n"')?.scheme).toBe('digest');
    expect(pick('Digest realm="a", nonce="n", algorithm=MD5, Digest realm="a", nonce="n", algorithm=SHA-256')?.params.algorithm).toBe('SHA-256');
    expect(pick('Digest realm="a", nonce="n", algorithm=SHA-512-256, Basic realm="a"')?.scheme).toBe('basic');
    expect(pick('Digest realm="a", nonce="n", qop="auth-conf"')).toBeNull();
    expect(pick('Bearer realm="a"')).toBeNull();
  });

  it('Basic is user:password in UTF-8 base64', () => {
    expect(basicAuthorization({ username: 'Aladdin', password: 'open sesame' })).toBe('Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==');
    expect(basicAuthorization({ username: 'test', password: '123£' })).toBe('Basic dGVzdDoxMjPCow==');
  });
});
