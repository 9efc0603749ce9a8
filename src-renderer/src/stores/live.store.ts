// Live: per-tile frame arrival times, manual recordings in progress and their resulting clips.
import { create } from 'zustand';
import { api } from '../api/client';

export interface ManualClip {
  event_id: number;
  clip: string;
  duration: number;
}

interface LiveState {
  /** Epoch ms a frame last arrived per camera (from <img> load events). */
  lastFrame: Record<number, number>;
  /** Manual recordings in progress: server-trusted started_at per camera. */
  recording: Record<number, { started_at: string; local_start: number }>;
  lastClip: Record<number, ManualClip>;
  /** The last live frame each tile showed (data: URL), so an offline tile can keep it after a remount. */
  stills: Record<number, string>;
  frameArrived(id: number, at?: number): void;
  keepStill(id: number, dataUrl: string): void;
  startRecording(id: number): Promise<void>;
  stopRecording(id: number): Promise<ManualClip>;
}

/**
 * Manual recordings are stateless on the server (the client echoes started_at back), so a reload used to lose one
 * silently: no stop, no clip. They are kept per tab in sessionStorage.
 */
const REC_KEY = 'vigil.manualRecordings';
function loadRecordings(): LiveState['recording'] {
  try {
    return typeof sessionStorage === 'undefined' ? {} : ((JSON.parse(sessionStorage.getItem(REC_KEY) ?? '{}') as LiveState['recording']) ?? {});
  } catch {
    return {};
  }
}
function saveRecordings(r: LiveState['recording']): void {
  try {
    if (typeof sessionStorage !== 'undefined') sessionStorage.setItem(REC_KEY, JSON.stringify(r));
  } catch {
    // Storage unavailable: the recording still works until a reload.
  }
}

export const useLive = create<LiveState>((set, get) => ({
  lastFrame: {},
  recording: loadRecordings(),
  lastClip: {},
  stills: {},
  frameArrived(id, at = Date.now()) {
    set({ lastFrame: { ...get().lastFrame, [id]: at } });
  },
  keepStill(id, dataUrl) {
    set({ stills: { ...get().stills, [id]: dataUrl } });
  },
  async startRecording(id) {
    const { started_at } = await api.call('live.recordStart', { id });
    const recording = { ...get().recording, [id]: { started_at, local_start: Date.now() } };
    saveRecordings(recording);
    set({ recording });
  },
  async stopRecording(id) {
    const rec = get().recording[id];
    if (!rec) throw new Error('Not recording');
    try {
      const clip = await api.call('live.recordStop', { id, started_at: rec.started_at });
      set({ lastClip: { ...get().lastClip, [id]: clip } });
      return clip;
    } finally {
      const { [id]: _done, ...rest } = get().recording;
      saveRecordings(rest);
      set({ recording: rest });
    }
  },
}));

/** "3 s", "2 min", "1 h" since an epoch-ms instant (null → "never"). */
export function ago(ms: number | null, now = Date.now()): string {
  if (ms === null) return 'never';
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86400) return `${Math.floor(s / 3600)} h`;
  return `${Math.floor(s / 86400)} d`;
}

/** mm:ss or h:mm:ss for a running timer. */
export function clock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${String(m).padStart(2, '0')}:${ss}`;
}
