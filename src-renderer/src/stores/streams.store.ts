// Push streams and their policies: list, create (with its first pairing code), status changes, new codes, policy edits.
import { create } from 'zustand';
import { api } from '../api/client';
import type { PolicyDto, PolicyRulesDto, StreamDto } from '../../../src-main/shared/contract/streams.contract';

export type { PolicyDto, PolicyRulesDto, StreamDto };

export interface ShownCode {
  stream_id: string;
  code: string;
  expires_at: string;
  qr_svg: string;
}

/** Class names typed as "person, car" → ["person", "car"] (trimmed, de-duplicated, empties dropped). */
export function parseClasses(s: string): string[] {
  return [...new Set(s.split(',').map((x) => x.trim().toLowerCase()).filter(Boolean))];
}

/** One line an operator reads: "requires person · forbids dog · ≥ 0.50". */
export function describeRules(r: PolicyRulesDto): string {
  const parts = [r.require.length ? `requires ${r.require.join(', ')}` : '', r.forbid.length ? `forbids ${r.forbid.join(', ')}` : '', `≥ ${r.min_confidence.toFixed(2)}`];
  if (r.zones?.length) parts.push(`${r.zones.length} zone${r.zones.length === 1 ? '' : 's'}`);
  return parts.filter(Boolean).join(' · ');
}

/** The QR SVG as an <img> source (img-src allows data:, so no markup is injected into the page). */
export const qrDataUrl = (svg: string): string => `data:image/svg+xml;base64,${btoa(svg)}`;

interface StreamsState {
  streams: StreamDto[];
  policies: PolicyDto[];
  loaded: boolean;
  code: ShownCode | null;
  load(): Promise<void>;
  createStream(i: { name: string; location?: string | null; policy_id?: string | null; group_id?: string | null }): Promise<StreamDto>;
  setStatus(id: string, status: StreamDto['status']): Promise<void>;
  setPolicy(id: string, policyId: string | null): Promise<void>;
  newCode(id: string): Promise<void>;
  closeCode(): void;
  deleteStream(id: string): Promise<void>;
  savePolicy(p: { id?: string; name: string; rules: PolicyRulesDto }): Promise<PolicyDto>;
  deletePolicy(id: string): Promise<void>;
}

const replace = (list: StreamDto[], s: StreamDto): StreamDto[] => (list.some((x) => x.id === s.id) ? list.map((x) => (x.id === s.id ? s : x)) : [s, ...list]);

export const useStreams = create<StreamsState>((set, get) => ({
  streams: [],
  policies: [],
  loaded: false,
  code: null,
  async load() {
    const [streams, policies] = await Promise.all([api.call('streams.list', {}), api.call('policies.list', {})]);
    set({ streams, policies, loaded: true });
  },
  async createStream(i) {
    const { pairing, ...s } = await api.call('streams.create', i);
    set({ streams: replace(get().streams, s), code: { stream_id: s.id, ...pairing } });
    return s;
  },
  async setStatus(id, status) {
    const s = await api.call('streams.update', { id, status });
    set({ streams: replace(get().streams, s) });
  },
  async setPolicy(id, policyId) {
    const s = await api.call('streams.update', { id, policy_id: policyId });
    set({ streams: replace(get().streams, s) });
  },
  async newCode(id) {
    const c = await api.call('streams.pairingCode', { id });
    set({ code: { stream_id: id, ...c } });
  },
  closeCode() {
    set({ code: null });
  },
  async deleteStream(id) {
    await api.call('streams.delete', { id });
    set({ streams: get().streams.filter((s) => s.id !== id), code: get().code?.stream_id === id ? null : get().code });
  },
  async savePolicy(p) {
    const saved = p.id ? await api.call('policies.update', { id: p.id, name: p.name, rules: p.rules }) : await api.call('policies.create', { name: p.name, rules: p.rules });
    const rest = get().policies.filter((x) => x.id !== saved.id);
    set({ policies: [...rest, saved].sort((a, b) => a.name.localeCompare(b.name)) });
    return saved;
  },
  async deletePolicy(id) {
    await api.call('policies.delete', { id });
    set({ policies: get().policies.filter((p) => p.id !== id) });
  },
}));
