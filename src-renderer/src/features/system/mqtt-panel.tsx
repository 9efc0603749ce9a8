// MQTT broker settings: URL, user, write-only password, topic prefix, QoS and TLS verification; empty URL turns it off.
import { useEffect, useState, type FormEvent } from 'react';
import { useSession } from '../../stores/session.store';
import { useSettings } from '../../stores/settings.store';
import type { SecretSettingsPatch, SettingsPatch } from '../../../../src-main/shared/settings';

interface Form {
  url: string;
  username: string;
  password: string;
  clearPassword: boolean;
  prefix: string;
  qos: '0' | '1' | '2';
  tlsVerify: boolean;
}

export function MqttPanel() {
  const settings = useSettings((s) => s.settings);
  const [form, setForm] = useState<Form>({ url: '', username: '', password: '', clearPassword: false, prefix: 'vigil', qos: '0', tlsVerify: true });
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!settings) return;
    setForm({ url: settings.mqtt_url, username: settings.mqtt_username ?? '', password: '', clearPassword: false, prefix: settings.mqtt_topic_prefix, qos: String(settings.mqtt_qos) as Form['qos'], tlsVerify: settings.mqtt_tls_verify });
  }, [settings]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSaving(true);
    setError(null);
    const patch: SettingsPatch & SecretSettingsPatch = {
      mqtt_url: form.url.trim(),
      mqtt_username: form.username.trim() === '' ? null : form.username.trim(),
      mqtt_topic_prefix: form.prefix.trim(),
      mqtt_qos: Number(form.qos) as 0 | 1 | 2,
      mqtt_tls_verify: form.tlsVerify,
      // The password is write-only: blank keeps the stored one.
      ...(form.clearPassword ? { mqtt_password: null } : form.password !== '' ? { mqtt_password: form.password } : {}),
    };
    try {
      await useSettings.getState().update(patch as SettingsPatch);
      useSession.getState().toast(patch.mqtt_url ? 'MQTT saved: connecting' : 'MQTT off');
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setSaving(false);
    }
  };

  const set = <K extends keyof Form>(k: K, v: Form[K]) => setForm((f) => ({ ...f, [k]: v }));

  return (
    <form className="panel mqtt-form" onSubmit={(e) => void submit(e)} aria-label="MQTT" data-testid="mqtt-panel">
      <h3>MQTT</h3>
      <div className="form-grid">
        <label className="field">
          <span>Broker URL (mqtt:// or mqtts://, blank = off)</span>
          <input value={form.url} placeholder="mqtt://192.168.1.10:1883" onChange={(e) => set('url', e.target.value)} data-testid="setting-mqtt_url" />
        </label>
        <label className="field">
          <span>User name (blank = anonymous)</span>
          <input value={form.username} autoComplete="off" onChange={(e) => set('username', e.target.value)} data-testid="setting-mqtt_username" />
        </label>
        <label className="field">
          <span>{settings?.mqtt_password_set ? 'Password (stored; blank keeps it)' : 'Password'}</span>
          <input type="password" value={form.password} autoComplete="new-password" disabled={form.clearPassword} onChange={(e) => set('password', e.target.value)} data-testid="setting-mqtt_password" />
        </label>
        <label className="field">
          <span>Topic prefix</span>
          <input value={form.prefix} onChange={(e) => set('prefix', e.target.value)} data-testid="setting-mqtt_topic_prefix" />
        </label>
        <label className="field">
          <span>QoS</span>
          <select value={form.qos} onChange={(e) => set('qos', e.target.value as Form['qos'])} data-testid="setting-mqtt_qos">
            <option value="0">0 (at most once)</option>
            <option value="1">1 (at least once)</option>
            <option value="2">2 (exactly once)</option>
          </select>
        </label>
        <label className="field check">
          <input type="checkbox" checked={form.tlsVerify} onChange={(e) => set('tlsVerify', e.target.checked)} data-testid="setting-mqtt_tls_verify" />
          <span>Verify the broker's TLS certificate (mqtts://)</span>
        </label>
        {settings?.mqtt_password_set && (
          <label className="field check">
            <input type="checkbox" checked={form.clearPassword} onChange={(e) => set('clearPassword', e.target.checked)} data-testid="mqtt-clear-password" />
            <span>Remove the stored password</span>
          </label>
        )}
      </div>
      {error && <p className="field-error">{error}</p>}
      <div className="row end">
        <span className="muted">Events, object counts and snapshots are published in Frigate's topic layout under the prefix.</span>
        <button type="submit" className="primary" disabled={saving || !settings} data-testid="save-mqtt">
          {saving ? 'Saving…' : 'Save MQTT'}
        </button>
      </div>
    </form>
  );
}
