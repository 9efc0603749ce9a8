// Unit: the relay's RTSP reader (messages and interleaved frames across chunk boundaries) and its URL/SDP rewriting both ways.
import { describe, expect, it } from 'vitest';
import { tcpOnlyTransport } from '../../src-main/repositories/net/rtsp-auth-relay';
import { RtspProtocolError, RtspReader, RtspUrlMap, headerValue, serialize, type RtspChunk, type RtspMessage } from '../../src-main/repositories/net/rtsp-message';

const RELAY = 'rtsp://127.0.0.1:40000/0123456789abcdef0123456789abcdef';

function feed(reader: RtspReader, data: Buffer, step: number): RtspChunk[] {
  const out: RtspChunk[] = [];
  for (let i = 0; i < data.length; i += step) out.push(...reader.push(data.subarray(i, i + step)));
  return out;
}

describe('RtspReader', () => {
  const sdp = 'v=0\r\na=control:*\r\n';
  const response = `RTSP/1.0 200 OK\r\nCSeq: 3\r\nContent-Type: application/sdp\r\nContent-Length: ${sdp.length}\r\n\r\n${sdp}`;
  const frame = Buffer.concat([Buffer.from([0x24, 0x01, 0x00, 0x05]), Buffer.from([1, 2, 3, 4, 5])]);
  const stream = Buffer.concat([Buffer.from(response), frame, Buffer.from('OPTIONS * RTSP/1.0\r\nCSeq: 4\r\n\r\n'), frame]);

  for (const step of [1, 3, 7, stream.length]) {
    it(`splits messages and interleaved frames fed ${step} byte(s) at a time`, () => {
      const chunks = feed(new RtspReader(), stream, step);
      const messages = chunks.filter((c): c is Extract<RtspChunk, { type: 'message' }> => c.type === 'message').map((c) => c.message);
      expect(messages.map((m) => m.startLine)).toEqual(['RTSP/1.0 200 OK', 'OPTIONS * RTSP/1.0']);
      expect(messages[0]!.body.toString()).toBe(sdp);
      expect(headerValue(messages[0]!.headers, 'cseq')).toBe('3');
      // Interleaved bytes come out untouched and in order.
      const raw = Buffer.concat(chunks.filter((c) => c.type === 'raw').map((c) => (c as { data: Buffer }).data));
      expect(raw.equals(Buffer.concat([frame, frame]))).toBe(true);
    });
  }

  it('refuses an unbounded header or body instead of buffering it', () => {
    expect(() => new RtspReader().push(Buffer.alloc(70 * 1024, 0x41))).toThrow(RtspProtocolError);
    expect(() => new RtspReader().push(Buffer.from('RTSP/1.0 200 OK\r\nContent-Length: 99999999\r\n\r\n'))).toThrow(RtspProtocolError);
  });

  it('serialize recomputes Content-Length', () => {
    const m: RtspMessage = { startLine: 'RTSP/1.0 200 OK', headers: [['CSeq', '1'], ['Content-Length', '1']], body: Buffer.from('abc') };
    expect(serialize(m).toString()).toBe('RTSP/1.0 200 OK\r\nCSeq: 1\r\nContent-Length: 3\r\n\r\nabc');
  });
});

describe('RtspUrlMap', () => {
  const map = new RtspUrlMap(RELAY, 'rtsp://cam.local:8554/Streaming/Channels/101?transportmode=unicast');

  it('the client URL keeps the camera path and query behind the token', () => {
    expect(map.clientUrl('rtsp://cam.local:8554/Streaming/Channels/101?transportmode=unicast')).toBe(`${RELAY}/Streaming/Channels/101?transportmode=unicast`);
    expect(new RtspUrlMap(RELAY, 'rtsps://cam').clientUrl('rtsps://cam')).toBe(RELAY);
  });

  it('rewrites request URIs toward the camera only for the right token', () => {
    const req: RtspMessage = { startLine: `SETUP ${RELAY}/Streaming/Channels/101/trackID=1 RTSP/1.0`, headers: [['CSeq', '3'], ['Transport', 'RTP/AVP/TCP;unicast;interleaved=0-1']], body: Buffer.alloc(0) };
    expect(map.rewrite(req, 'upstream').startLine).toBe('SETUP rtsp://cam.local:8554/Streaming/Channels/101/trackID=1 RTSP/1.0');
    const other = { ...req, startLine: `SETUP ${RELAY}ff/x RTSP/1.0` };
    expect(map.rewrite(other, 'upstream').startLine).toBe(other.startLine);
  });

  it('rewrites Content-Base, RTP-Info and absolute SDP controls toward the client, leaving auth headers alone', () => {
    const sdp = ['v=0', 'o=- 1 1 IN IP4 10.0.0.5', 'a=control:rtsp://CAM.local:8554/Streaming/Channels/101/', 'm=video 0 RTP/AVP 96', 'a=control:rtsp://admin@cam.local:8554/Streaming/Channels/101/trackID=1', 'm=audio 0 RTP/AVP 0', 'a=control:trackID=2', ''].join('\r\n');
    const res: RtspMessage = {
      startLine: 'RTSP/1.0 200 OK',
      headers: [
        ['CSeq', '2'],
        ['Content-Base', 'rtsp://cam.local:8554/Streaming/Channels/101/'],
        ['RTP-Info', 'url=rtsp://cam.local:8554/Streaming/Channels/101/trackID=1;seq=1;rtptime=2'],
        ['WWW-Authenticate', 'Digest realm="rtsp://cam.local:8554/"'],
        ['Content-Type', 'application/sdp'],
      ],
      body: Buffer.from(sdp),
    };
    const out = map.rewrite(res, 'client');
    expect(headerValue(out.headers, 'content-base')).toBe(`${RELAY}/Streaming/Channels/101/`);
    expect(headerValue(out.headers, 'rtp-info')).toBe(`url=${RELAY}/Streaming/Channels/101/trackID=1;seq=1;rtptime=2`);
    expect(headerValue(out.headers, 'www-authenticate')).toBe('Digest realm="rtsp://cam.local:8554/"');
    const body = out.body.toString();
    expect(body).toContain(`a=control:${RELAY}/Streaming/Channels/101/\r\n`);
    expect(body).toContain(`a=control:${RELAY}/Streaming/Channels/101/trackID=1\r\n`);
    expect(body).toContain('a=control:trackID=2');
    expect(body).toContain('o=- 1 1 IN IP4 10.0.0.5');
    expect(body).not.toContain('admin');
    expect(serialize(out).toString()).toContain(`Content-Length: ${out.body.length}\r\n`);
    // ...and back: the camera sees its own URLs again.
    expect(map.rewrite(out, 'upstream').body.toString()).toContain('a=control:rtsp://cam.local:8554/Streaming/Channels/101/trackID=1');
  });

  it('matches the camera origin with or without its default port, never another port or host', () => {
    const m = new RtspUrlMap(RELAY, 'rtsp://10.0.0.5/live');
    expect(m.toClient('rtsp://10.0.0.5:554/live/')).toBe(`${RELAY}/live/`);
    expect(m.toClient('rtsp://10.0.0.5/live/')).toBe(`${RELAY}/live/`);
    expect(m.toClient('rtsp://10.0.0.5:8554/live/')).toBe('rtsp://10.0.0.5:8554/live/');
    expect(m.toClient('rtsp://10.0.0.55/live/')).toBe('rtsp://10.0.0.55/live/');
    const v6 = new RtspUrlMap(RELAY, 'rtsps://[fe80::1]:3220/s');
    expect(v6.toClient('rtsps://[fe80::1]:3220/s/track1')).toBe(`${RELAY}/s/track1`);
    expect(v6.toUpstream(`${RELAY}/s/track1`)).toBe('rtsps://[fe80::1]:3220/s/track1');
  });

  it('keeps only TCP-interleaved transports', () => {
    expect(tcpOnlyTransport('RTP/AVP;unicast;client_port=5000-5001,RTP/AVP/TCP;unicast;interleaved=0-1')).toBe('RTP/AVP/TCP;unicast;interleaved=0-1');
    expect(tcpOnlyTransport('RTP/AVP;unicast;client_port=5000-5001')).toBeNull();
  });
});
