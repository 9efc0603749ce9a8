// Camera add/edit form: the contract's fields and ranges (validated client-side with the same zod schemas), the masked-URL
// rule (the stored URL stays unless replaced), and "Test connection".
import { useMemo, useState, type FormEvent } from 'react';
import { z } from 'zod';
import { api } from '../../api/client';
import { RetentionPreviewDialog, retentionPreviewOf, type RetentionPreview } from '../../components/retention-preview';
import { ANALYSIS_MODES, cameraCreateSchema, cameraTuningShape, cameraUpdateSchema, defaultTuning, RECORDING_MODES, SOURCE_KINDS, type SourceKind } from '../../../../src-main/shared/contract/cameras.contract';
import type { OpOutput } from '../../../../src-main/shared/contract';
import type { Camera } from '../../stores/cameras.store';

type Probe = OpOutput<'cameras.probe'>;
type TuningKey = keyof typeof cameraTuningShape;

interface FieldDef {
  key: TuningKey;
  label: string;
  kind: 'int' | 'num' | 'bool' | 'text' | 'enum' | 'nullnum';
  options?: readonly string[];
  step?: number;
  group: 'Recording' | 'Motion' | 'Detection' | 'Retention';
}

const FIELDS: FieldDef[] = [
  { key: 'recording_mode', label: 'Recording mode', kind: 'enum', options: RECORDING_MODES, group: 'Recording' },
  { key: 'rtsp_transport', label: 'RTSP transport', kind: 'enum', options: ['tcp', 'udp'], group: 'Recording' },
  { key: 'pre_seconds', label: 'Pre-roll (s)', kind: 'int', group: 'Recording' },
  { key: 'post_seconds', label: 'Post-roll (s)', kind: 'int', group: 'Recording' },
  { key: 'snapshot_fps', label: 'Snapshot poll fps (http)', kind: 'num', step: 0.1, group: 'Recording' },
  { key: 'analysis_mode', label: 'Analysis (off = record only, no decode)', kind: 'enum', options: ANALYSIS_MODES, group: 'Motion' },
  { key: 'motion_enabled', label: 'Motion detection', kind: 'bool', group: 'Motion' },
  { key: 'motion_threshold', label: 'Pixel threshold', kind: 'int', group: 'Motion' },
  { key: 'motion_min_area', label: 'Min changed area (0–1)', kind: 'num', step: 0.001, group: 'Motion' },
  { key: 'trigger_cooldown', label: 'Trigger cooldown (s)', kind: 'num', step: 1, group: 'Motion' },
  { key: 'min_trigger_frames', label: 'Min trigger frames', kind: 'int', group: 'Motion' },
  { key: 'max_event_seconds', label: 'Max event length (s)', kind: 'int', group: 'Recording' },
  { key: 'trigger_classes', label: 'Trigger classes (CSV, empty = person)', kind: 'text', group: 'Detection' },
  { key: 'detect_conf', label: 'Confidence (0–1)', kind: 'num', step: 0.01, group: 'Detection' },
  { key: 'detect_iou', label: 'NMS IoU (0–1)', kind: 'num', step: 0.01, group: 'Detection' },
  { key: 'detect_imgsz', label: 'Input size (px)', kind: 'int', step: 32, group: 'Detection' },
  { key: 'detect_interval', label: 'Interval (s)', kind: 'num', step: 0.1, group: 'Detection' },
  { key: 'faces_enabled', label: 'Faces', kind: 'bool', group: 'Detection' },
  { key: 'reid_enabled', label: 'Re-identification', kind: 'bool', group: 'Detection' },
  { key: 'retention_max_days', label: 'Max days (blank = global)', kind: 'nullnum', step: 1, group: 'Retention' },
  { key: 'retention_max_gb', label: 'Max GB (blank = global)', kind: 'nullnum', step: 1, group: 'Retention' },
];

/** The min/max the contract declares for a numeric field, for the input's min/max attributes. */
function range(key: TuningKey): { min?: number; max?: number } {
  let s: unknown = cameraTuningShape[key];
  if (s instanceof z.ZodNullable) s = s.unwrap();
  if (s instanceof z.ZodNumber) {
    const finite = (n: number | null) => (n !== null && Number.isFinite(n) && Math.abs(n) < Number.MAX_SAFE_INTEGER ? n : undefined);
    return { min: finite(s.minValue), max: finite(s.maxValue) };
  }
  return {};
}

type Values = Record<string, string | boolean>;

function initialValues(cam: Camera | null): Values {
  const src = cam ?? { ...defaultTuning, name: '', rtsp_url: '', enabled: true };
  const v: Values = { name: src.name, rtsp_url: src.rtsp_url, source_kind: cam?.source_kind ?? '', username: '', password: '', enabled: src.enabled };
  for (const f of FIELDS) {
    const val = (src as Record<string, unknown>)[f.key];
    v[f.key] = f.kind === 'bool' ? Boolean(val) : val === null || val === undefined ? '' : String(val);
  }
  return v;
}

/** Converts form strings to typed values; only fields that differ from `base` when editing. */
export function buildPayload(values: Values, cam: Camera | null): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const base = cam ? initialValues(cam) : null;
  const changed = (k: string) => !base || base[k] !== values[k];
  if (changed('name')) out.name = values.name;
  const url = String(values.rtsp_url).trim();
  if (cam) {
    if (url && url !== cam.rtsp_url && !url.includes('***')) out.rtsp_url = url;
  } else out.rtsp_url = url;
  if (values.source_kind && changed('source_kind')) out.source_kind = values.source_kind;
  if (values.username) out.username = values.username;
  if (values.password) out.password = values.password;
  if (changed('enabled')) out.enabled = values.enabled;
  for (const f of FIELDS) {
    if (!changed(f.key)) continue;
    const raw = values[f.key];
    if (f.kind === 'bool') out[f.key] = Boolean(raw);
    else if (f.kind === 'text' || f.kind === 'enum') out[f.key] = String(raw);
    else if (f.kind === 'nullnum') out[f.key] = raw === '' ? null : Number(raw);
    else if (raw !== '') out[f.key] = Number(raw);
  }
  return out;
}

interface Props {
  camera: Camera | null;
  onSaved(cam: Camera): void;
  onCancel(): void;
  save(payload: Record<string, unknown>): Promise<Camera>;
}

export function CameraForm({ camera, onSaved, onCancel, save }: Props) {
  const [values, setValues] = useState<Values>(() => initialValues(camera));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [probe, setProbe] = useState<Probe | null>(null);
  const [probing, setProbing] = useState(false);
  const [saving, setSaving] = useState(false);
  const [serverError, setServerError] = useState<string | null>(null);
  const [pending, setPending] = useState<{ payload: Record<string, unknown>; preview: RetentionPreview } | null>(null);
  const masked = !!camera && (values.rtsp_url === camera.rtsp_url || String(values.rtsp_url).includes('***') || String(values.rtsp_url).trim() === '');
  const set = (k: string, v: string | boolean) => {
    setValues((s) => ({ ...s, [k]: v }));
    setErrors((e) => {
      if (!(k in e)) return e;
      const { [k]: _fixed, ...rest } = e;
      return rest;
    });
  };
  const groups = useMemo(() => [...new Set(FIELDS.map((f) => f.group))], []);

  const validate = (): Record<string, unknown> | null => {
    const payload = buildPayload(values, camera);
    const schema = camera ? cameraUpdateSchema : cameraCreateSchema;
    const r = schema.safeParse(camera ? { id: camera.id, ...payload } : payload);
    if (r.success) {
      setErrors({});
      return payload;
    }
    const errs: Record<string, string> = {};
    for (const i of r.error.issues) errs[String(i.path[0] ?? 'form')] ??= i.message;
    setErrors(errs);
    return null;
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setServerError(null);
    const payload = validate();
    if (!payload) return;
    await persist(payload);
  };

  const persist = async (payload: Record<string, unknown>) => {
    setSaving(true);
    try {
      onSaved(await save(payload));
    } catch (err) {
      const preview = retentionPreviewOf(err);
      if (preview) setPending({ payload, preview });
      else setServerError(err instanceof Error ? err.message : String(err));
    } finally {
      setSaving(false);
    }
  };

  const test = async () => {
    setProbing(true);
    setProbe(null);
    try {
      const transport = values.rtsp_transport === 'udp' ? 'udp' : 'tcp';
      const input =
        camera && masked
          ? { camera_id: camera.id, rtsp_transport: transport as 'tcp' | 'udp' }
          : {
              rtsp_url: String(values.rtsp_url).trim(),
              source_kind: (values.source_kind || undefined) as SourceKind | undefined,
              rtsp_transport: transport as 'tcp' | 'udp',
              username: values.username ? String(values.username) : undefined,
              password: values.password ? String(values.password) : undefined,
            };
      setProbe(await api.call('cameras.probe', input));
    } catch (err) {
      setProbe({ ok: false, error: err instanceof Error ? err.message : String(err), source_kind: null, codec: null, width: null, height: null, fps: null, audio: null });
    } finally {
      setProbing(false);
    }
  };

  const err = (k: string) =>
    errors[k] ? (
      <span className="field-error" role="alert">
        {errors[k]}
      </span>
    ) : null;

  return (
    <form className="camera-form panel" onSubmit={submit} aria-label={camera ? `Edit ${camera.name}` : 'Add camera'} data-testid="camera-form" noValidate>
      <h3>{camera ? `Edit ${camera.name}` : 'Add camera'}</h3>
      <div className="form-grid">
        <label className="field">
          <span>Name</span>
          <input name="name" value={String(values.name)} onChange={(e) => set('name', e.target.value)} autoFocus maxLength={120} />
          {err('name')}
        </label>
        <label className="field wide">
          <span>Source URL {camera?.has_credentials && <em className="muted">(credentials stored; shown masked)</em>}</span>
          <input
            name="rtsp_url"
            value={String(values.rtsp_url)}
            onChange={(e) => set('rtsp_url', e.target.value)}
            placeholder="rtsp://user:pass@host/stream · http(s)://… · file:///path · pattern://"
            spellCheck={false}
            data-testid="url-input"
          />
          {camera && <span className="muted small">{masked ? 'The stored URL is kept unless you replace it.' : 'A new URL replaces the stored one and purges this camera\u2019s history.'}</span>}
          {err('rtsp_url')}
        </label>
        <label className="field">
          <span>Source kind</span>
          <select name="source_kind" value={String(values.source_kind)} onChange={(e) => set('source_kind', e.target.value)}>
            <option value="">Auto (from URL)</option>
            {/* push cameras come from registering a stream (Streams screen), never from a URL */}
            {SOURCE_KINDS.filter((k) => k !== 'push' || values.source_kind === 'push').map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Username</span>
          <input name="username" value={String(values.username)} onChange={(e) => set('username', e.target.value)} autoComplete="off" placeholder={camera?.has_credentials ? 'unchanged' : ''} />
        </label>
        <label className="field">
          <span>Password</span>
          <input name="password" type="password" value={String(values.password)} onChange={(e) => set('password', e.target.value)} autoComplete="new-password" placeholder={camera?.has_credentials ? 'unchanged' : ''} />
        </label>
        <label className="field check">
          <input type="checkbox" name="enabled" checked={Boolean(values.enabled)} onChange={(e) => set('enabled', e.target.checked)} />
          <span>Enabled</span>
        </label>
      </div>
      <div className="row">
        <button type="button" onClick={() => void test()} disabled={probing || (!camera && !String(values.rtsp_url).trim())} data-testid="probe-button">
          {probing ? 'Testing…' : 'Test connection'}
        </button>
        {probe && (
          <span className={probe.ok ? 'ok' : 'error'} data-testid="probe-result" data-ok={probe.ok}>
            {probe.ok
              ? `OK · ${probe.source_kind ?? ''} ${probe.codec ?? '?'} ${probe.width ?? '?'}×${probe.height ?? '?'} @ ${probe.fps ? probe.fps.toFixed(1) : '?'} fps${probe.audio ? ` · audio ${probe.audio}` : ''}`
              : `Failed: ${probe.error ?? 'unknown error'}`}
          </span>
        )}
      </div>
      {groups.map((g) => (
        <fieldset key={g}>
          <legend>{g}</legend>
          <div className="form-grid">
            {FIELDS.filter((f) => f.group === g).map((f) => {
              const r = range(f.key);
              return (
                <label key={f.key} className={`field ${f.kind === 'bool' ? 'check' : ''}`}>
                  {f.kind === 'bool' ? (
                    <>
                      <input type="checkbox" name={f.key} checked={Boolean(values[f.key])} onChange={(e) => set(f.key, e.target.checked)} />
                      <span>{f.label}</span>
                    </>
                  ) : (
                    <>
                      <span>
                        {f.label}
                        {r.min !== undefined && <span className="muted small"> [{r.min}–{r.max ?? '∞'}]</span>}
                      </span>
                      {f.kind === 'enum' ? (
                        <select name={f.key} value={String(values[f.key])} onChange={(e) => set(f.key, e.target.value)}>
                          {f.options?.map((o) => (
                            <option key={o} value={o}>
                              {o}
                            </option>
                          ))}
                        </select>
                      ) : (
                        <input
                          name={f.key}
                          type={f.kind === 'text' ? 'text' : 'number'}
                          value={String(values[f.key])}
                          min={r.min}
                          max={r.max}
                          step={f.step ?? (f.kind === 'int' ? 1 : 'any')}
                          onChange={(e) => set(f.key, e.target.value)}
                        />
                      )}
                    </>
                  )}
                  {err(f.key)}
                </label>
              );
            })}
          </div>
        </fieldset>
      ))}
      {(serverError || errors.form) && (
        <p className="error" role="alert">
          {serverError ?? errors.form}
        </p>
      )}
      <div className="row end">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={saving} data-testid="save-camera">
          {saving ? 'Saving…' : camera ? 'Save' : 'Add camera'}
        </button>
      </div>
    {pending && (
        <RetentionPreviewDialog
          preview={pending.preview}
          onCancel={() => setPending(null)}
          onConfirm={() => {
            const p = pending.payload;
            setPending(null);
            void persist({ ...p, confirm: true });
          }}
        />
      )}
    </form>
  );
}
