// Camera sources: the kind a URL resolves to (probing http to tell snapshot from MJPEG), the media-folder rule and probes.
import { unprocessable } from '../../shared/errors';
import type { SourceKind } from '../../shared/contract/cameras.contract';
import { filePathOf, patternOf } from '../../shared/source-url';
import type { CameraRecord, CameraSource } from '../../repositories/cameras.repository';
import type { CameraFilesRepository } from '../../repositories/camera-files.repository';
import type { ProbeRepository, ProbeResult } from '../../repositories/ffmpeg/probe.repository';
import type { CameraRuntime } from '../../ports/camera-workers.port';
import { applySourceUpdate, deriveKind, isEcho, kindMatchesUrl, looksLikeMjpeg, sourceFromInput } from './camera-url';

/** One answer for "missing" and "not allowed", so the API never tells which files exist on the machine. */
export const MEDIA_FILE_REFUSED = "File not found in an allowed media folder (the data folder's media/ by default; see --media-dir).";
const UNSUPPORTED_URL = 'Unsupported URL: use rtsp://, rtsps://, http(s)://, file:// (or an absolute path) or pattern://';
const PROBE_TIMEOUT_MS = 8000;
const CREATE_PROBE_TIMEOUT_MS = 4000;

export interface ProbeInput {
  rtsp_url?: string | undefined;
  camera_id?: number | undefined;
  source_kind?: SourceKind | undefined;
  rtsp_transport?: 'tcp' | 'udp' | undefined;
  username?: string | undefined;
  password?: string | undefined;
}

function isNetworkUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.hostname !== '' && !/\s/.test(url);
  } catch {
    return false;
  }
}

/** What a worker runs for a stored camera: file URLs become paths, tuning picks the transport, rate and recording. */
export function runtimeOf(r: CameraRecord): CameraRuntime {
  const s = r.source;
  return {
    id: r.id,
    kind: r.kind,
    url: r.kind === 'file' ? filePathOf(s.url) : s.url,
    username: s.username,
    password: s.password,
    rtspTransport: r.tuning.rtsp_transport,
    snapshotFps: r.tuning.snapshot_fps,
    record: r.tuning.recording_mode !== 'off',
  };
}

export class CameraSources {
  constructor(
    private readonly prober: ProbeRepository,
    private readonly files: CameraFilesRepository,
  ) {}

  /** The media-folder rule: the real path of a file source's file, or null when it is not in an allowed media folder. */
  mediaFile(url: string): string | null {
    return this.files.mediaFile(filePathOf(url));
  }

  /** Validates the kind against the URL; for http(s) with no explicit kind, probes to tell a snapshot URL from MJPEG. */
  async resolveKind(explicit: SourceKind | undefined, source: CameraSource, keep?: SourceKind): Promise<SourceKind> {
    const derived = deriveKind(source.url);
    if (derived === null) throw unprocessable(['body', 'rtsp_url'], UNSUPPORTED_URL);
    if ((derived === 'rtsp' || derived === 'http') && !isNetworkUrl(source.url)) throw unprocessable(['body', 'rtsp_url'], 'Invalid URL: expected scheme://host[:port]/path');
    if (explicit !== undefined && !kindMatchesUrl(explicit, source.url)) throw unprocessable(['body', 'source_kind'], `source_kind ${explicit} does not match the URL scheme`);
    if (derived === 'file' && !this.mediaFile(source.url)) throw unprocessable(['body', 'rtsp_url'], MEDIA_FILE_REFUSED);
    if (derived === 'pattern' && !patternOf(source.url)) throw unprocessable(['body', 'rtsp_url'], 'Unknown test pattern; try pattern://testsrc2');
    if (explicit !== undefined) return explicit;
    if (keep !== undefined && kindMatchesUrl(keep, source.url)) return keep;
    if (derived !== 'http') return derived;
    const r = await this.prober.probe({ kind: 'http', url: source.url, username: source.username, password: source.password, rtspTransport: 'tcp', timeoutMs: CREATE_PROBE_TIMEOUT_MS });
    if (r.ok && r.source_kind) return r.source_kind;
    return looksLikeMjpeg(source.url) ? 'mjpeg' : 'http';
  }

  /** Probes a URL, or (camera_id with a blank or masked URL) the stored camera's source with any new credentials. */
  async probe(input: ProbeInput, stored: (id: number) => CameraRecord): Promise<ProbeResult> {
    let source: CameraSource;
    let kind: SourceKind | null;
    let transport = input.rtsp_transport ?? 'tcp';
    if (input.camera_id !== undefined && isEcho(input.rtsp_url)) {
      const cur = stored(input.camera_id);
      source = applySourceUpdate(cur.source, { username: input.username, password: input.password }).next;
      kind = input.source_kind ?? cur.kind;
      transport = input.rtsp_transport ?? cur.tuning.rtsp_transport;
    } else {
      if (isEcho(input.rtsp_url)) throw unprocessable(['body', 'rtsp_url'], 'Give a URL to test, or camera_id to test the stored one.');
      source = sourceFromInput(input.rtsp_url as string, input.username, input.password);
      kind = input.source_kind ?? deriveKind(source.url);
    }
    if (kind === null) throw unprocessable(['body', 'rtsp_url'], UNSUPPORTED_URL);
    if (kind === 'file') {
      const real = this.mediaFile(source.url);
      if (!real) return { ok: false, source_kind: 'file', codec: null, width: null, height: null, fps: null, audio: null, error: MEDIA_FILE_REFUSED };
      source = { ...source, url: real };
    }
    return this.prober.probe({ kind, url: source.url, username: source.username, password: source.password, rtspTransport: transport, timeoutMs: PROBE_TIMEOUT_MS });
  }
}
