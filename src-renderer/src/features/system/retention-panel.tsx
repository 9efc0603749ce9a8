// Global retention and export limits; a change that would delete recordings is shown as a preview to confirm first.
import { useEffect, useState, type FormEvent } from 'react';
import { RetentionPreviewDialog, retentionPreviewOf, type RetentionPreview } from '../../components/retention-preview';
import { useSession } from '../../stores/session.store';
import { useSettings } from '../../stores/settings.store';
import type { SettingsPatch } from '../../../../src-main/shared/settings';

const FIELDS = [
  { key: 'retention_max_days', label: 'Keep recordings (days, blank = no limit)', nullable: true },
  { key: 'retention_max_gb', label: 'Recordings size cap (GB, blank = none)', nullable: true },
  { key: 'retention_max_percent', label: 'Disk limit (%)', nullable: false },
  { key: 'exports_max_days', label: 'Keep exports (days, blank = until space is needed)', nullable: true },
  { key: 'exports_max_gb', label: 'Exports size cap (GB, blank = none)', nullable: true },
] as const;
type Key = (typeof FIELDS)[number]['key'];

export function RetentionPanel() {
  const settings = useSettings((s) => s.settings);
  const [values, setValues] = useState<Record<Key, string>>({ retention_max_days: '', retention_max_gb: '', retention_max_percent: '', exports_max_days: '', exports_max_gb: '' });
  const [pending, setPending] = useState<{ patch: SettingsPatch; preview: RetentionPreview } | null>(null);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!settings) return;
    setValues(Object.fromEntries(FIELDS.map((f) => [f.key, settings[f.key] === null ? '' : String(settings[f.key])])) as Record<Key, string>);
  }, [settings]);

  const patchOf = (): SettingsPatch | null => {
    const patch: Record<string, number | null> = {};
    for (const f of FIELDS) {
      const raw = values[f.key].trim();
      if (raw === '' && f.nullable) patch[f.key] = null;
      else if (raw === '' || !Number.isFinite(Number(raw))) {
        setError(`${f.label}: enter a number`);
        return null;
      } else patch[f.key] = Number(raw);
    }
    return patch as SettingsPatch;
  };

  const send = async (patch: SettingsPatch, confirm: boolean) => {
    setSaving(true);
    setError(null);
    try {
      await useSettings.getState().update(confirm ? ({ ...patch, confirm: true } as SettingsPatch) : patch);
      useSession.getState().toast('Retention saved');
    } catch (err) {
      const preview = retentionPreviewOf(err);
      if (preview) setPending({ patch, preview });
      else setError(err instanceof Error ? err.message : String(err));
    } finally {
      setSaving(false);
    }
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const patch = patchOf();
    if (patch) void send(patch, false);
  };

  return (
    <form className="panel retention-form" onSubmit={submit} aria-label="Retention" data-testid="retention-panel">
      <h3>Retention</h3>
      <div className="form-grid">
        {FIELDS.map((f) => (
          <label key={f.key} className="field">
            <span>{f.label}</span>
            <input inputMode="decimal" value={values[f.key]} onChange={(e) => setValues((v) => ({ ...v, [f.key]: e.target.value }))} data-testid={`setting-${f.key}`} />
          </label>
        ))}
      </div>
      {error && <p className="field-error">{error}</p>}
      <div className="row end">
        <span className="muted">Exports are removed before any recording when space is needed.</span>
        <button type="submit" className="primary" disabled={saving || !settings} data-testid="save-retention">
          {saving ? 'Saving…' : 'Save retention'}
        </button>
      </div>
      {pending && (
        <RetentionPreviewDialog
          preview={pending.preview}
          onCancel={() => setPending(null)}
          onConfirm={() => {
            const p = pending.patch;
            setPending(null);
            void send(p, true);
          }}
        />
      )}
    </form>
  );
}
