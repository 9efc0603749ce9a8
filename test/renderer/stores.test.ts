// Renderer stores: push-event reducers and local actions of the cameras, events, timeline and live stores, plus the
// camera form's masked-URL payload rule, the virtualiser's window and the hash router.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { api } from '../../src-renderer/src/api/client';
import { applyStatus, moveId, orderCameras, removeCamera, upsertCamera, useCameras, type Camera } from '../../src-renderer/src/stores/cameras.store';
import { matches, rangeIds, upsertEvent, useEvents, type EventDto } from '../../src-renderer/src/stores/events.store';
import { applyExportProgress, fetchWindow, loadedCovers, useTimeline, type ExportStatus } from '../../src-renderer/src/stores/timeline.store';
import { ago, clock, useLive } from '../../src-renderer/src/stores/live.store';
import { buildPayload } from '../../src-renderer/src/features/cameras/camera-form';
import { visibleRange } from '../../src-renderer/src/components/virtual-list';
import { parseRoute } from '../../src-renderer/src/router';
import { gridColumns } from '../../src-renderer/src/features/live/live-grid';
import { cameraUpdateSchema, defaultTuning } from '../../src-main/shared/contract/cameras.contract';

const cam = (id: number, over: Partial<Camera> = {}): Camera => ({
  id,
  name: `Cam ${id}`,
  rtsp_url: `rtsp://***@10.0.0.${id}/s`,
  source_kind: 'rtsp',
  enabled: true,
  is_demo: false,
  has_credentials: true,
  status: 'online',
  last_seen: null,
  last_error: null,
  fps: 10,
  created_at: '2026-01-01T00:00:00Z',
  ...defaultTuning,
  ...over,
});

const ev = (id: number, started: string, over: Partial<EventDto> = {}): EventDto => ({
  id,
  camera_id: 1,
  camera_name: 'Cam 1',
  label: 'motion',
  source: 'motion',
  score: null,
  started_at: started,
  ended_at: started,
  window_start: started,
  window_end: started,
  duration: 3,
  open: false,
  retain: false,
  person_id: null,
  person_name: null,
  identity_id: null,
  boxes: [],
  objects: [],
  clip_url: null,
  thumbnail_url: null,
  sprite_url: null,
  created_at: started,
  ...over,
});

describe('cameras store', () => {
  beforeEach(() => useCameras.setState({ cameras: [cam(1), cam(2), cam(3)], loaded: true }));

  it('applies camera.status pushes to the right camera only', () => {
    useCameras.getState().applyStatus({ camera_id: 2, status: 'offline', last_seen: '2026-01-01T00:00:05Z', fps: 0 });
    const cams = useCameras.getState().cameras;
    expect(cams.map((c) => c.status)).toEqual(['online', 'offline', 'online']);
    expect(cams[1]?.last_seen).toBe('2026-01-01T00:00:05Z');
    const same = useCameras.getState().cameras;
    expect(applyStatus(same, { camera_id: 9, status: 'error', last_seen: null, fps: 0 })).toBe(same);
  });
  it('a status push out of error drops the stale error text (the server reports last_error only while in error)', () => {
    const failing = [cam(1, { status: 'error', last_error: 'unreachable: Connection refused' })];
    const back = applyStatus(failing, { camera_id: 1, status: 'online', last_seen: '2026-01-01T00:00:09Z', fps: 10 });
    expect(back[0]?.last_error).toBeNull();
    const stopped = applyStatus(failing, { camera_id: 1, status: 'offline', last_seen: null, fps: 0 });
    expect(stopped[0]?.last_error).toBeNull();
    expect(applyStatus(failing, { camera_id: 1, status: 'error', last_seen: null, fps: 0 })[0]?.last_error).toBe('unreachable: Connection refused');
  });
  it('upserts in id order and removes', () => {
    expect(upsertCamera([cam(3), cam(1)], cam(2, { name: 'x' })).map((c) => c.id)).toEqual([1, 2, 3]);
    expect(upsertCamera([cam(1)], cam(1, { name: 'renamed' }))[0]?.name).toBe('renamed');
    useCameras.getState().removed(2);
    expect(useCameras.getState().cameras.map((c) => c.id)).toEqual([1, 3]);
    expect(removeCamera([cam(1)], 5)).toHaveLength(1);
  });
  it('orders tiles by the saved order, unknown cameras last, and moves ids', () => {
    expect(orderCameras([cam(1), cam(2), cam(3), cam(4)], [3, 1]).map((c) => c.id)).toEqual([3, 1, 2, 4]);
    expect(moveId([1, 2, 3, 4], 4, 2)).toEqual([1, 4, 2, 3]);
    expect(moveId([1, 2, 3, 4], 1, 3)).toEqual([2, 3, 1, 4]);
    expect(moveId([1, 2], 1, 9)).toEqual([1, 2]);
  });
  it('grid columns per layout', () => {
    expect(gridColumns('auto', 5)).toBe(3);
    expect(gridColumns('auto', 0)).toBe(1);
    expect(gridColumns('3x3', 2)).toBe(3);
    expect(gridColumns('1', 9)).toBe(1);
  });
});

describe('events store', () => {
  const items = [ev(5, '2026-01-01T00:05:00Z'), ev(4, '2026-01-01T00:04:00Z'), ev(2, '2026-01-01T00:02:00Z')];
  beforeEach(() => useEvents.setState({ items, total: 10, selected: new Set(), anchor: null, active: null, filters: {}, held: false, incoming: [] }));
  afterEach(() => vi.restoreAllMocks());
  /** events.get answers from this map; a missing id is a 404. */
  const serve = (byId: Map<number, EventDto>) =>
    vi.spyOn(api, 'call').mockImplementation((async (name: string, input: { id: number }) => {
      if (name !== 'events.get') throw new Error(`unexpected ${name}`);
      const e = byId.get(input.id);
      if (!e) throw new Error('404');
      return e;
    }) as typeof api.call);

  it('filters pushed events like the server does (from inclusive, to exclusive)', () => {
    const e = ev(9, '2026-01-01T00:03:00Z', { camera_id: 2, label: 'person' });
    const t = Date.parse('2026-01-01T00:03:00Z');
    expect(matches(e, {})).toBe(true);
    expect(matches(e, { camera_id: 1 })).toBe(false);
    expect(matches(e, { label: 'motion' })).toBe(false);
    expect(matches(e, { from: t })).toBe(true);
    expect(matches(e, { to: t })).toBe(false);
  });
  it('inserts newest-first and replaces in place', () => {
    const r = upsertEvent(items, ev(3, '2026-01-01T00:03:00Z'));
    expect(r.added).toBe(true);
    expect(r.items.map((x) => x.id)).toEqual([5, 4, 3, 2]);
    const u = upsertEvent(items, ev(4, '2026-01-01T00:04:00Z', { retain: true }));
    expect(u.added).toBe(false);
    expect(u.items[1]?.retain).toBe(true);
    expect(upsertEvent(items, ev(7, '2026-01-01T00:09:00Z')).items[0]?.id).toBe(7);
  });
  it('selects single, toggled and shift ranges', () => {
    const s = useEvents.getState();
    s.select(5, 'single');
    s.select(2, 'range');
    expect([...useEvents.getState().selected].sort()).toEqual([2, 4, 5]);
    useEvents.getState().select(4, 'toggle');
    expect([...useEvents.getState().selected].sort()).toEqual([2, 5]);
    expect(rangeIds(items, 2, 5)).toEqual([5, 4, 2]);
  });
  it('removes deleted events from list, total, selection and the player', () => {
    useEvents.setState({ selected: new Set([4, 5]), active: 4 });
    useEvents.getState().deleted([4, 99]);
    const st = useEvents.getState();
    expect(st.items.map((x) => x.id)).toEqual([5, 2]);
    expect(st.total).toBe(9);
    expect([...st.selected]).toEqual([5]);
    expect(st.active).toBeNull();
  });
  it('while held, new events wait beside the list instead of shifting its rows; releasing the hold shows them', async () => {
    const db = new Map([[7, ev(7, '2026-01-01T00:07:00Z')], [3, ev(3, '2026-01-01T00:03:00Z')]]);
    serve(db);
    const s = useEvents.getState();
    s.hold(true);
    await s.created(7);
    await s.created(3);
    await s.created(4); // already listed: not new, stays an in-place update
    expect(useEvents.getState().items.map((x) => x.id)).toEqual([5, 4, 2]);
    expect(useEvents.getState().incoming.map((x) => x.id)).toEqual([7, 3]);
    db.set(7, ev(7, '2026-01-01T00:07:00Z', { retain: true }));
    await s.updated(7);
    expect(useEvents.getState().incoming[0]?.retain).toBe(true);
    s.deleted([3]);
    expect(useEvents.getState().incoming.map((x) => x.id)).toEqual([7]);
    s.hold(false);
    const st = useEvents.getState();
    expect(st.items.map((x) => x.id)).toEqual([7, 5, 4, 2]);
    expect(st.items[0]?.retain).toBe(true);
    expect(st.total).toBe(11);
    expect(st.incoming).toEqual([]);
  });
  it('shows waiting events on request while still held, and inserts at once when not held', async () => {
    serve(new Map([[7, ev(7, '2026-01-01T00:07:00Z')], [6, ev(6, '2026-01-01T00:06:00Z')]]));
    const s = useEvents.getState();
    s.hold(true);
    await s.created(7);
    s.showIncoming();
    expect(useEvents.getState().items.map((x) => x.id)).toEqual([7, 5, 4, 2]);
    expect(useEvents.getState().held).toBe(true);
    s.hold(false);
    await s.created(6);
    expect(useEvents.getState().items.map((x) => x.id)).toEqual([7, 6, 5, 4, 2]);
  });
  it('an event deleted while its fetch was in flight is not brought back', async () => {
    let answer: (e: EventDto) => void = () => undefined;
    vi.spyOn(api, 'call').mockImplementation((() => new Promise<EventDto>((r) => (answer = r))) as typeof api.call);
    const pending = useEvents.getState().created(8);
    useEvents.getState().deleted([8]);
    answer(ev(8, '2026-01-01T00:08:00Z'));
    await pending;
    expect(useEvents.getState().items.map((x) => x.id)).toEqual([5, 4, 2]);
  });
});

describe('timeline store', () => {
  it('reuses loaded data only while it covers the view at a similar resolution', () => {
    const l = { from: 0, to: 10_000, gap: 10, cameraId: null };
    expect(loadedCovers(l, { start: 1000, end: 9000 }, 10, null)).toBe(true);
    expect(loadedCovers(l, { start: 1000, end: 11_000 }, 10, null)).toBe(false);
    expect(loadedCovers(l, { start: 1000, end: 9000 }, 100, null)).toBe(false);
    expect(loadedCovers(l, { start: 1000, end: 9000 }, 10, 3)).toBe(false);
    expect(loadedCovers(null, { start: 1000, end: 9000 }, 10, null)).toBe(false);
    expect(fetchWindow({ start: 10_000, end: 20_000 }, 25_000)).toEqual({ from: 0, to: 30_000 });
    expect(fetchWindow({ start: 10_000, end: 20_000 }, 12_000)).toEqual({ from: 0, to: 22_000 });
  });
  it('applies export.progress to known exports only', () => {
    const x: ExportStatus = { export_id: 'a', camera_id: 1, from: 0, to: 1, state: 'queued', percent: 0, detail: null, file_url: null, manifest: null, bytes: null, created_at: null };
    useTimeline.setState({ exports: { a: x } });
    const before = useTimeline.getState().exports;
    expect(applyExportProgress(before, { export_id: 'zz', percent: 50, state: 'running', detail: null })).toBe(before);
    const next = applyExportProgress(before, { export_id: 'a', percent: 42, state: 'running', detail: null });
    expect(next.a).toMatchObject({ percent: 42, state: 'running' });
  });
  it('clamps the view to the zoom limits', () => {
    useTimeline.getState().setView({ start: 0, end: 1000 });
    const v = useTimeline.getState().view;
    expect(v.end - v.start).toBe(10_000);
  });
});

describe('live store', () => {
  it('records frame arrivals and formats ages and timers', () => {
    useLive.getState().frameArrived(3, 1234);
    expect(useLive.getState().lastFrame[3]).toBe(1234);
    expect(ago(null)).toBe('never');
    expect(ago(0, 42_000)).toBe('42 s');
    expect(ago(0, 3 * 60_000)).toBe('3 min');
    expect(clock(65_000)).toBe('01:05');
    expect(clock(3_725_000)).toBe('1:02:05');
  });
});

describe('camera form payload (masked-URL rule)', () => {
  const c = cam(7);
  const values = (over: Record<string, string | boolean> = {}) => {
    const v: Record<string, string | boolean> = { name: c.name, rtsp_url: c.rtsp_url, source_kind: 'rtsp', username: '', password: '', enabled: true };
    for (const [k, val] of Object.entries(defaultTuning)) v[k] = typeof val === 'boolean' ? val : val === null ? '' : String(val);
    return { ...v, ...over };
  };
  it('keeps the stored URL when the masked value is untouched, and sends only changed fields', () => {
    const p = buildPayload(values({ name: 'Gate' }), c);
    expect(p).toEqual({ name: 'Gate' });
    expect(cameraUpdateSchema.safeParse({ id: 7, ...p }).success).toBe(true);
  });
  it('sends a replaced URL, ignores one still containing ***', () => {
    expect(buildPayload(values({ rtsp_url: 'rtsp://u:p@10.0.0.9/s' }), c).rtsp_url).toBe('rtsp://u:p@10.0.0.9/s');
    expect(buildPayload(values({ rtsp_url: 'rtsp://***@10.0.0.9/s' }), c).rtsp_url).toBeUndefined();
  });
  it('converts numbers, booleans and nullable numbers; out-of-range values fail the shared schema', () => {
    const p = buildPayload(values({ pre_seconds: '12', motion_enabled: false, retention_max_days: '' , retention_max_gb: '5' }), c);
    expect(p).toMatchObject({ pre_seconds: 12, motion_enabled: false, retention_max_gb: 5 });
    expect('retention_max_days' in p).toBe(false);
    const bad = buildPayload(values({ detect_conf: '1.5' }), c);
    const r = cameraUpdateSchema.safeParse({ id: 7, ...bad });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['detect_conf']);
  });
});

describe('virtual list and router', () => {
  it('renders only the rows in view plus overscan', () => {
    expect(visibleRange(0, 560, 56, 100_000, 5)).toEqual([0, 15]);
    expect(visibleRange(56 * 1000, 560, 56, 100_000, 5)).toEqual([995, 1015]);
    expect(visibleRange(0, 560, 56, 3, 5)).toEqual([0, 3]);
  });
  it('parses hash routes with a landing fallback', () => {
    const r = parseRoute('#/timeline?camera=3&t=1000');
    expect(r.screen).toBe('timeline');
    expect(r.query.get('camera')).toBe('3');
    expect(parseRoute('#/live/4').param).toBe('4');
    expect(parseRoute('', 'system').screen).toBe('system');
  });
});
