// Unit: the ffmpeg argument builder (one child: copy tee to segments + live fMP4, decoded outputs by analysis mode); no credentials.
import { describe, expect, it } from 'vitest';
import { buildIngestArgs, type IngestArgsInput } from '../../src-main/workers/ingest-args';
import { redactArgs } from '../../src-main/shared/credentials';
import type { CameraRuntime } from '../../src-main/ports/camera-workers.port';

const rt = (p: Partial<CameraRuntime>): CameraRuntime => ({ id: 7, kind: 'rtsp', url: 'rtsp://10.0.0.5:554/s', username: null, password: null, rtspTransport: 'tcp', snapshotFps: 2, record: true, ...p });
const input = (r: CameraRuntime, p: Partial<IngestArgsInput> = {}): IngestArgsInput => ({
  rt: r,
  fileCodec: null,
  segmentDir: '/data/segments/7/.incoming',
  segmentPrefix: 'r1-1',
  segmentSeconds: 4,
  analysisFps: 2,
  analysisWidth: 320,
  ...p,
});
const after = (args: string[], flag: string): string | undefined => args[args.indexOf(flag) + 1];

describe('buildIngestArgs', () => {
  it('a face-capturing camera gets a fourth output: full-resolution (capped) PPM frames at a low rate on fd 6', () => {
    const { args } = buildIngestArgs(input(rt({}), { faceFps: 2 }));
    expect(args).toContain('pipe:6');
    const vfs = args.filter((_a, i) => args[i - 1] === '-vf');
    expect(vfs[vfs.length - 1]).toMatch(/,scale='min\(1920,iw\)':-2$/);
    expect(buildIngestArgs(input(rt({}))).args).not.toContain('pipe:6');
  });

  it('a detecting camera gets analysis frames fitted into the model input by ffmpeg (aspect kept, no JS resize)', () => {
    const { args } = buildIngestArgs(input(rt({}), { analysisFit: 416 }));
    const vfs = args.filter((_a, i) => args[i - 1] === '-vf');
    expect(vfs[0]).toMatch(/,scale=416:416:force_original_aspect_ratio=decrease:force_divisible_by=2$/);
    const plain = buildIngestArgs(input(rt({}), { analysisFit: null })).args;
    expect(plain.filter((_a, i) => plain[i - 1] === '-vf')[0]).toMatch(/,scale=320:-2$/);
  });

  it('rtsp: one input, copy video through a tee to the segments (list on fd 3) and the live fMP4 (fd 5), analysis PPM on fd 4', () => {
    const { args, stdin, copyVideo, fds } = buildIngestArgs(input(rt({ rtspTransport: 'udp' })));
    expect(stdin).toBe('ignore');
    expect(copyVideo).toBe(true);
    expect(fds).toEqual([3, 5, 4]);
    expect(args.filter((a) => a === '-i')).toHaveLength(1);
    expect(after(args, '-rtsp_transport')).toBe('udp');
    expect(after(args, '-timeout')).toBe('5000000');
    expect(after(args, '-i')).toBe('rtsp://10.0.0.5:554/s');
    expect(args).toContain('0:a:0?');
    expect(after(args, '-c:v')).toBe('copy');
    expect(after(args, '-f')).toBe('tee');
    const [seg, live] = after(args, 'tee')!.split('|');
    // Per-slave timestamp fix-up of copied video; three escaping levels (bsf list, tee option, tee slave list).
    const setts = 'bsfs/v=setts\\\\=pts\\\\=if(eq(PTS\\\\\\\\,NOPTS)\\\\\\\\,DTS\\\\\\\\,PTS)';
    expect(seg).toBe(`[f=segment:${setts}:segment_time=4:segment_format=mpegts:reset_timestamps=1:segment_list=pipe\\\\:3:segment_list_type=csv]/data/segments/7/.incoming/r1-1-%06d.ts`);
    expect(live).toBe(`[f=mp4:${setts}:movflags=+frag_keyframe+empty_moov+default_base_moof:frag_duration=100000:flush_packets=1:onfail=ignore]pipe:5`);
    const vfs = args.filter((_a, i) => args[i - 1] === '-vf');
    expect(vfs).toEqual(["select='isnan(prev_selected_t)+lt(selected_n,(t-start_t)*2+1)*gte(t-prev_selected_t,0.25)',scale=320:-2"]);
    expect(args).toContain('pipe:4');
    expect(args.filter((a, i) => a === 'passthrough' && args[i - 1] === '-fps_mode')).toHaveLength(1);
    expect(args).not.toContain('-skip_frame');
  });

  it('analysis off: nothing is decoded, the only outputs are the copy tee (segments + live stream)', () => {
    const { args, fds } = buildIngestArgs(input(rt({ analysis: 'off', faceFps: 2, analysisFit: 416 }), { faceFps: 2, analysisFit: 416 }));
    expect(fds).toEqual([3, 5]);
    expect(args).not.toContain('-vf');
    expect(args.filter((a) => a === '-map')).toHaveLength(2);
    for (const fd of ['pipe:4', 'pipe:6', 'pipe:7']) expect(args).not.toContain(fd);
    expect(args.filter((a, i) => args[i - 1] === '-c:v')).toEqual(['copy']);
  });

  it('analysis keyframes: the decoder skips every non-key frame; full detection adds event stills on fd 7', () => {
    const kf = buildIngestArgs(input(rt({ analysis: 'keyframes' }), { analysisFit: 416 }));
    expect(after(kf.args, '-skip_frame')).toBe('nokey');
    expect(kf.args.indexOf('-skip_frame')).toBeLessThan(kf.args.indexOf('-i'));
    expect(kf.fds).toEqual([3, 5, 4]);
    const full = buildIngestArgs(input(rt({ analysis: 'full' }), { analysisFit: 416 }));
    expect(full.fds).toEqual([3, 5, 4, 7]);
    expect(full.args).not.toContain('-skip_frame');
  });

  it('escapes tee separators and option characters in the segment path', () => {
    const { args } = buildIngestArgs(input(rt({}), { segmentDir: "/d/a b|c'd\\e" }));
    const spec = after(args, 'tee')!;
    expect(spec.endsWith(':movflags=+frag_keyframe+empty_moov+default_base_moof:frag_duration=100000:flush_packets=1:onfail=ignore]pipe:5')).toBe(true);
    expect(spec).toContain("]/d/a\\ b\\|c\\'d\\\\e/r1-1-%06d.ts|");
  });

  it('mjpeg and pattern re-encode with a 1 s keyframe interval', () => {
    for (const kind of ['mjpeg', 'pattern'] as const) {
      const { args, copyVideo } = buildIngestArgs(input(rt({ kind, url: 'http://127.0.0.1:1/stream.mjpg' })));
      expect(copyVideo).toBe(false);
      expect(after(args, '-c:v')).toBe('libx264');
      expect(after(args, '-preset')).toBe('ultrafast');
      expect(after(args, '-force_key_frames')).toBe('expr:gte(t,n_forced*1)');
    }
    expect(after(buildIngestArgs(input(rt({ kind: 'mjpeg', url: 'http://cam/x' }))).args, '-f')).toBe('mpjpeg');
    expect(after(buildIngestArgs(input(rt({ kind: 'pattern', url: '' }))).args, '-f')).toBe('lavfi');
  });

  it('http snapshots feed stdin; the URL never reaches ffmpeg', () => {
    const { args, stdin } = buildIngestArgs(input(rt({ kind: 'http', url: 'http://u:secret@cam/snap.jpg' })));
    expect(stdin).toBe('pipe');
    expect(after(args, '-i')).toBe('pipe:0');
    expect(args.join(' ')).not.toContain('secret');
  });

  it('file: real-time loop, copy only when H.264', () => {
    const h264 = buildIngestArgs(input(rt({ kind: 'file', url: '/media/a.ts' }), { fileCodec: 'h264' }));
    expect(h264.copyVideo).toBe(true);
    expect(h264.args.slice(h264.args.indexOf('-re'), h264.args.indexOf('-re') + 5)).toEqual(['-re', '-stream_loop', '-1', '-i', '/media/a.ts']);
    expect(buildIngestArgs(input(rt({ kind: 'file', url: '/media/a.avi' }), { fileCodec: 'mpeg4' })).copyVideo).toBe(false);
  });
});

describe('credentials', () => {
  it('never puts credentials into the arguments, whether separate or in the URL', () => {
    for (const r of [rt({ username: 'admin', password: 'p@ss:w/rd' }), rt({ url: 'rtsp://admin:p%40ss%3Aw%2Frd@10.0.0.5:554/s' }), rt({ kind: 'mjpeg', url: 'http://admin:hunter2@cam/video.mjpg' })]) {
      const { args } = buildIngestArgs(input(r));
      const line = args.join(' ');
      for (const secret of ['p@ss:w/rd', 'p%40ss%3Aw%2Frd', 'hunter2', 'admin']) expect(line).not.toContain(secret);
    }
    expect(after(buildIngestArgs(input(rt({ url: 'rtsp://admin:pw@10.0.0.5:554/s' }))).args, '-i')).toBe('rtsp://10.0.0.5:554/s');
  });

  it('reads a relayed camera from the loopback relay, over TCP even when the camera is set to UDP', () => {
    const network = { url: 'rtsp://127.0.0.1:40000/0123456789abcdef0123456789abcdef/s', relayed: true };
    const { args } = buildIngestArgs(input(rt({ rtspTransport: 'udp', username: 'admin', password: 'hunter2' }), { network }));
    expect(after(args, '-i')).toBe(network.url);
    expect(after(args, '-rtsp_transport')).toBe('tcp');
    const mjpeg = buildIngestArgs(input(rt({ kind: 'mjpeg', url: 'http://cam/video.mjpg', username: 'a', password: 'hunter2' }), { network: { url: 'http://127.0.0.1:40001/tok', relayed: true } }));
    expect(after(mjpeg.args, '-i')).toBe('http://127.0.0.1:40001/tok');
    expect(redactArgs(mjpeg.args, ['hunter2'])).not.toContain('hunter2');
  });

  it('a pattern camera runs the pattern its URL names', () => {
    expect(after(buildIngestArgs(input(rt({ kind: 'pattern', url: 'pattern://mandelbrot' }))).args, '-i')).toBe('mandelbrot=size=640x360:rate=10');
    expect(after(buildIngestArgs(input(rt({ kind: 'pattern', url: 'pattern://testsrc2' }))).args, '-i')).toBe('testsrc2=size=640x360:rate=10');
  });
});
