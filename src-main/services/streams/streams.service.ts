// Push streams: registration, pairing (single-use codes → a token stored only as a hash), policies, and frame
// verification (token, status, JPEG checks, the detector, the policy, optional group correlation, the log).
import { ApiError, notFound } from '../../shared/errors';
import type { PairingDto, PolicyDto, PolicyRulesDto, StreamDto, VerificationDto } from '../../shared/contract/streams.contract';
import { STREAM_FRAME_MAX_PIXELS } from '../../shared/contract/streams.contract';
import type { Logger } from '../../repositories/logger';
import type { PolicyRow, StreamFields, StreamRow, StreamsRepository } from '../../repositories/streams.repository';
import type { StreamsCryptoRepository } from '../../repositories/streams-crypto.repository';
import { evaluatePolicy, type FrameDetection } from './policy';
import { decisionDetections, joinDecision, type GroupDecision } from './correlation';
import { CODE_LENGTH, codeState, normaliseCode, pairingCode, PAIRING_TTL_MS, TOKEN_PREFIX } from './pairing';

/** Verified tokens remembered (by digest) so each frame does not pay an Argon2 verification. */
const TOKEN_CACHE_MAX = 1000;

export interface FrameDetector {
  /** Detects objects in one JPEG; rejects with an ApiError (503) when no detector is loaded. */
  detect(jpeg: Buffer): Promise<{ model: string; detections: FrameDetection[] }>;
}

export interface StreamsServiceDeps {
  repo: StreamsRepository;
  crypto: StreamsCryptoRepository;
  detector: FrameDetector;
  image: { dimensions(b: Buffer): Promise<{ width: number; height: number; format: string } | null> };
  /** The window in which frames of one group make one decision; 0 turns correlation off. */
  correlationMs: () => number;
  /** The Vigil camera a new stream's frames are recorded on (a push camera); absent: streams are not recorded. */
  camera?: (name: string, streamId: string) => number;
  /** Feeds a verified frame to the stream's camera (its ingest records and analyses it like any camera's). */
  record?: (cameraId: number, jpeg: Buffer) => void;
  now: () => number;
  log: Logger;
}

export interface UploadedFrame {
  mimetype: string;
  data: Buffer;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function streamDto(r: StreamRow): StreamDto {
  return {
    id: r.id,
    name: r.name,
    location: r.location,
    asset_type: r.asset_type,
    region: r.region,
    expected_throughput: r.expected_throughput,
    site_id: r.site_id,
    policy_id: r.policy_id,
    status: r.status,
    group_id: r.group_id,
    last_frame_at: iso(r.last_frame_ms),
    paired: r.token_hash !== null,
    camera_id: r.camera_id,
    created_at: new Date(r.created_ms).toISOString(),
    updated_at: new Date(r.updated_ms).toISOString(),
  };
}

function policyDto(r: PolicyRow): PolicyDto {
  return { id: r.id, name: r.name, rules: JSON.parse(r.rules) as PolicyRulesDto, created_at: new Date(r.created_ms).toISOString(), updated_at: new Date(r.updated_ms).toISOString() };
}

const isJpeg = (b: Buffer): boolean => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;

export class StreamsService {
  private readonly verified = new Map<string, { stream_id: string; hash: string }>();
  private readonly decisions = new Map<string, GroupDecision>();

  constructor(private readonly d: StreamsServiceDeps) {}

  list(status?: StreamRow['status']): StreamDto[] {
    return this.d.repo.list(status).map(streamDto);
  }

  get(id: string): StreamDto {
    return streamDto(this.row(id));
  }

  async create(i: Partial<StreamFields> & { name: string }): Promise<StreamDto & { pairing: PairingDto & { qr_svg: string } }> {
    if (i.policy_id) this.policyRow(i.policy_id, 400);
    const id = this.d.crypto.uuid();
    const fields: StreamFields = {
      name: i.name,
      location: i.location ?? null,
      asset_type: i.asset_type ?? null,
      region: i.region ?? null,
      expected_throughput: i.expected_throughput ?? null,
      site_id: i.site_id ?? null,
      policy_id: i.policy_id ?? null,
      status: i.status ?? 'active',
      group_id: i.group_id ?? null,
    };
    this.d.repo.insert(id, fields, this.d.now());
    if (this.d.camera) this.d.repo.setCamera(id, this.d.camera(i.name, id));
    const pairing = this.mintCode(id);
    this.d.log.info({ stream_id: id, name: i.name }, 'stream registered');
    return { ...this.get(id), pairing: { ...pairing, qr_svg: await this.d.crypto.qrSvg(pairing.code) } };
  }

  update(id: string, patch: Partial<StreamFields>): StreamDto {
    this.row(id);
    if (patch.policy_id) this.policyRow(patch.policy_id, 400);
    this.d.repo.update(id, patch, this.d.now());
    if (patch.group_id !== undefined) for (const [g, dec] of this.decisions) if (dec.stream_ids.includes(id)) this.decisions.delete(g);
    return this.get(id);
  }

  delete(id: string): void {
    if (!this.d.repo.delete(id)) throw notFound(`Stream ${id} not found`);
    this.forgetTokens(id);
  }

  async pairingCode(id: string): Promise<PairingDto & { qr_svg: string }> {
    this.row(id);
    const p = this.mintCode(id);
    return { ...p, qr_svg: await this.d.crypto.qrSvg(p.code) };
  }

  /** The one exchange of a code for a stream token: 404 unknown, 410 expired or already used. */
  async pair(code: string): Promise<{ stream_id: string; stream_token: string; policy_id: string | null }> {
    const now = this.d.now();
    const digest = this.d.crypto.digest(normaliseCode(code));
    const row = this.d.repo.code(digest);
    switch (codeState(row, now)) {
      case 'unknown':
        throw new ApiError(404, 'Unknown pairing code.', {}, { code: 'pairing_code_unknown' });
      case 'used':
        throw new ApiError(410, 'This pairing code was already used; mint a new one for the stream.', {}, { code: 'pairing_code_used' });
      case 'expired':
        throw new ApiError(410, 'This pairing code expired (codes live 10 minutes); mint a new one for the stream.', {}, { code: 'pairing_code_expired' });
      case 'valid':
        break;
    }
    const streamId = (row as NonNullable<typeof row>).stream_id;
    const stream = this.row(streamId);
    const token = `${TOKEN_PREFIX}${Buffer.from(this.d.crypto.random(32)).toString('base64url')}`;
    const hash = await this.d.crypto.hashToken(token);
    // Single use even when two kiosks present the code at once: only the first UPDATE flips consumed_ms.
    if (!this.d.repo.consumeCode(digest, this.d.now())) throw new ApiError(410, 'This pairing code was already used; mint a new one for the stream.', {}, { code: 'pairing_code_used' });
    this.d.repo.setToken(streamId, hash, this.d.now());
    this.forgetTokens(streamId);
    this.d.log.info({ stream_id: streamId }, 'stream paired');
    return { stream_id: streamId, stream_token: token, policy_id: stream.policy_id };
  }

  listPolicies(): PolicyDto[] {
    return this.d.repo.listPolicies().map(policyDto);
  }

  getPolicy(id: string): PolicyDto {
    return policyDto(this.policyRow(id, 404));
  }

  createPolicy(i: { name: string; rules: PolicyRulesDto }): PolicyDto {
    const now = this.d.now();
    const id = `pol_${Buffer.from(this.d.crypto.random(9)).toString('base64url')}`;
    this.d.repo.insertPolicy({ id, name: i.name, rules: JSON.stringify(i.rules), created_ms: now, updated_ms: now });
    return this.getPolicy(id);
  }

  updatePolicy(id: string, patch: { name?: string; rules?: PolicyRulesDto }): PolicyDto {
    this.policyRow(id, 404);
    this.d.repo.updatePolicy(id, { ...(patch.name !== undefined ? { name: patch.name } : {}), ...(patch.rules !== undefined ? { rules: JSON.stringify(patch.rules) } : {}) }, this.d.now());
    return this.getPolicy(id);
  }

  deletePolicy(id: string): void {
    this.policyRow(id, 404);
    const using = this.d.repo.streamsUsing(id);
    if (using.length) throw new ApiError(409, `Policy ${id} is used by ${using.length} stream(s); move them to another policy first.`, {}, { code: 'policy_in_use', data: { stream_ids: using } });
    this.d.repo.deletePolicy(id);
  }

  /** Auth, status and format checks first (cheap, in that order), then the detector and the policy. */
  async verifyFrame(streamId: string, token: string | undefined, frame: UploadedFrame): Promise<VerificationDto> {
    const t0 = performance.now();
    const stream = await this.authorise(streamId, token);
    if (stream.status !== 'active') throw new ApiError(409, `Stream ${stream.id} is ${stream.status}; frames are refused until it is active again.`, {}, { code: `stream_${stream.status}` });
    if (!/^image\/(jpeg|jpg|pjpeg)$/i.test(frame.mimetype) || !isJpeg(frame.data)) throw new ApiError(415, 'The frame must be a JPEG (image/jpeg).', {}, { code: 'unsupported_media_type' });
    const dim = await this.d.image.dimensions(frame.data);
    if (!dim || dim.format !== 'jpeg') throw new ApiError(415, 'The frame is not a readable JPEG.', {}, { code: 'unsupported_media_type' });
    if (dim.width * dim.height > STREAM_FRAME_MAX_PIXELS) throw new ApiError(413, `The frame is ${dim.width}×${dim.height}; at most ${STREAM_FRAME_MAX_PIXELS / 1_000_000} MP is accepted.`, {}, { code: 'frame_too_large' });
    const now = this.d.now();
    const { detections } = await this.d.detector.detect(frame.data);
    const frameId = this.d.crypto.uuid();
    const policy = stream.policy_id ? this.d.repo.policy(stream.policy_id) : undefined;
    const rules = policy ? (JSON.parse(policy.rules) as PolicyRulesDto) : null;
    let decision: GroupDecision | null = null;
    const windowMs = this.d.correlationMs();
    if (windowMs > 0 && stream.group_id) {
      const j = joinDecision(this.decisions.get(stream.group_id), { group_id: stream.group_id, stream_id: stream.id, frame_id: frameId, now_ms: now, detections }, windowMs, () => this.d.crypto.uuid());
      decision = j.decision;
      this.decisions.set(stream.group_id, decision);
    }
    const verdict = rules ? evaluatePolicy(rules, decision ? decisionDetections(decision) : detections) : { is_compliant: true, reasons: [] as string[] };
    const latency = Math.round((performance.now() - t0) * 10) / 10;
    this.d.repo.addVerification({
      frame_id: frameId,
      stream_id: stream.id,
      policy_id: policy?.id ?? null,
      decision_id: decision?.decision_id ?? null,
      ts_ms: now,
      is_compliant: verdict.is_compliant,
      detections: JSON.stringify(detections),
      reasons: JSON.stringify(verdict.reasons),
      latency_ms: latency,
    });
    this.d.repo.touchFrame(stream.id, now);
    if (stream.camera_id !== null) this.d.record?.(stream.camera_id, frame.data);
    return {
      is_compliant: verdict.is_compliant,
      policy_id: policy?.id ?? null,
      detections,
      reasons: verdict.reasons,
      frame_id: frameId,
      stream_id: stream.id,
      latency_ms: latency,
      correlation: decision ? { decision_id: decision.decision_id, group_id: decision.group_id, frames: decision.frame_ids.length, stream_ids: decision.stream_ids } : null,
    };
  }

  private async authorise(streamId: string, token: string | undefined): Promise<StreamRow> {
    const stream = this.d.repo.get(streamId);
    if (!stream) throw new ApiError(404, `Stream ${streamId} not found`, {}, { code: 'stream_not_found' });
    const refuse = (detail: string) => new ApiError(401, detail, {}, { code: 'invalid_stream_token' });
    if (!token) throw refuse('X-Stream-Token is required.');
    if (!stream.token_hash) throw refuse('This stream is not paired yet: exchange a pairing code at /api/v1/streams/pair.');
    const key = this.d.crypto.digest(token);
    const hit = this.verified.get(key);
    if (hit && hit.stream_id === stream.id && hit.hash === stream.token_hash) return stream;
    if (!(await this.d.crypto.verifyToken(stream.token_hash, token))) throw refuse('Wrong stream token.');
    if (this.verified.size >= TOKEN_CACHE_MAX) this.verified.delete(this.verified.keys().next().value as string);
    this.verified.set(key, { stream_id: stream.id, hash: stream.token_hash });
    return stream;
  }

  private mintCode(streamId: string): PairingDto {
    const now = this.d.now();
    this.d.repo.purgeCodes(now - PAIRING_TTL_MS);
    const code = pairingCode(this.d.crypto.random(CODE_LENGTH));
    const expires = now + PAIRING_TTL_MS;
    this.d.repo.addCode(this.d.crypto.digest(code), streamId, expires, now);
    return { code, expires_at: new Date(expires).toISOString() };
  }

  private forgetTokens(streamId: string): void {
    for (const [k, v] of this.verified) if (v.stream_id === streamId) this.verified.delete(k);
  }

  private row(id: string): StreamRow {
    const r = this.d.repo.get(id);
    if (!r) throw new ApiError(404, `Stream ${id} not found`, {}, { code: 'stream_not_found' });
    return r;
  }

  private policyRow(id: string, status: 400 | 404): PolicyRow {
    const p = this.d.repo.policy(id);
    if (!p) throw new ApiError(status, `Policy ${id} not found`, {}, { code: 'policy_not_found' });
    return p;
  }
}

