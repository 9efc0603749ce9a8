// Desktop only: the machine's owner picks the ffmpeg binary over IPC (the REST API cannot); the core checks its banner.
import { useState, type FormEvent } from 'react';
import { api } from '../../api/client';
import { useSession } from '../../stores/session.store';

export function FfmpegPathEditor({ current, onChanged }: { current: string | null; onChanged(): void }) {
  const [path, setPath] = useState(current ?? '');
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const info = await api.call('system.setFfmpegPath', { path: path.trim() === '' ? null : path.trim() });
      useSession.getState().toast(`Using ffmpeg ${info.version ?? ''} (${info.source})`);
      onChanged();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  return (
    <form className="row" onSubmit={submit} aria-label="ffmpeg binary">
      <input value={path} onChange={(e) => setPath(e.target.value)} placeholder="/usr/bin/ffmpeg (blank: the one on PATH)" aria-label="ffmpeg path" />
      <button type="submit">Use</button>
      {error && <span className="field-error">{error}</span>}
    </form>
  );
}
