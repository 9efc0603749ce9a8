// Users (admin only): who signs in, with which role; add one, change a role or password, issue a personal API key
// (shown once), remove one. Passwords and keys are never shown back: the server stores only their hashes.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api } from '../../api/client';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { useSession } from '../../stores/session.store';
import { ROLES, type Role } from '../../../../src-main/shared/access';
import type { User } from '../../../../src-main/shared/contract/users.contract';

const ROLE_HELP: Record<Role, string> = {
  admin: 'everything, including users and settings',
  operator: 'live, recordings, events and identities',
  viewer: 'live view only',
};

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export function UsersPanel() {
  const toast = useSession((s) => s.toast);
  const [users, setUsers] = useState<User[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [form, setForm] = useState<{ username: string; password: string; role: Role }>({ username: '', password: '', role: 'operator' });
  const [busy, setBusy] = useState(false);
  const [passwordFor, setPasswordFor] = useState<User | null>(null);
  const [newPassword, setNewPassword] = useState('');
  const [removing, setRemoving] = useState<User | null>(null);
  const [issued, setIssued] = useState<{ user: string; key: string } | null>(null);

  const load = useCallback(() => api.call('users.list', {}).then(setUsers, (err) => setError(message(err))), []);
  useEffect(() => void load(), [load]);

  /** Runs one change, then reloads the list; an error stays on the panel (the server's words). */
  const run = async (what: () => Promise<unknown>, done?: string) => {
    setBusy(true);
    setError(null);
    try {
      await what();
      if (done) toast(done);
      await load();
      return true;
    } catch (err) {
      setError(message(err));
      return false;
    } finally {
      setBusy(false);
    }
  };

  const add = async (e: FormEvent) => {
    e.preventDefault();
    const username = form.username.trim();
    if (await run(() => api.call('users.create', { username, password: form.password, role: form.role }), `Added ${username}`)) setForm({ username: '', password: '', role: form.role });
  };

  const setPassword = async (e: FormEvent) => {
    e.preventDefault();
    if (!passwordFor) return;
    if (await run(() => api.call('users.update', { id: passwordFor.id, password: newPassword }), `Password changed for ${passwordFor.username}; their sessions ended`)) {
      setPasswordFor(null);
      setNewPassword('');
    }
  };

  const issueKey = (u: User) =>
    void run(async () => {
      const { api_key } = await api.call('users.createApiKey', { id: u.id });
      setIssued({ user: u.username, key: api_key });
    });

  return (
    <div className="panel" aria-label="Users" data-testid="users-panel">
      <h3>Users</h3>
      {users === null ? (
        <p className="muted">{error ? `Users unavailable: ${error}` : 'Loading…'}</p>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th>User</th>
              <th>Role</th>
              <th>API key</th>
              <th>Added</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.id} data-testid="user-row" data-username={u.username}>
                <td>{u.username}</td>
                <td>
                  <select
                    value={u.role}
                    disabled={busy}
                    aria-label={`Role of ${u.username}`}
                    onChange={(e) => void run(() => api.call('users.update', { id: u.id, role: e.target.value as Role }), `${u.username} is now ${e.target.value}`)}
                    data-testid="user-role"
                  >
                    {ROLES.map((r) => (
                      <option key={r} value={r}>
                        {r}
                      </option>
                    ))}
                  </select>
                </td>
                <td>{u.has_api_key ? 'issued' : '—'}</td>
                <td>{new Date(u.created_at).toLocaleDateString()}</td>
                <td className="row end">
                  <button type="button" disabled={busy} onClick={() => setPasswordFor(u)} data-testid="user-password">
                    Set password
                  </button>
                  <button type="button" disabled={busy} onClick={() => issueKey(u)} data-testid="user-api-key">
                    {u.has_api_key ? 'Replace API key' : 'Issue API key'}
                  </button>
                  <button type="button" className="danger" disabled={busy} onClick={() => setRemoving(u)} data-testid="user-remove">
                    Remove
                  </button>
                </td>
              </tr>
            ))}
            {users.length === 0 && (
              <tr>
                <td colSpan={5} className="muted">
                  No users yet: only the API key signs in.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      )}
      {issued && (
        <div className="row" data-testid="issued-key">
          <span>
            API key for {issued.user}, shown once: <code data-testid="issued-key-value">{issued.key}</code>
          </span>
          <button type="button" onClick={() => void navigator.clipboard?.writeText(issued.key).then(() => toast('Copied'), () => undefined)}>
            Copy
          </button>
          <button type="button" onClick={() => setIssued(null)}>
            Done
          </button>
        </div>
      )}
      {passwordFor && (
        <form className="row" onSubmit={(e) => void setPassword(e)} aria-label={`New password for ${passwordFor.username}`}>
          <label className="field">
            <span>New password for {passwordFor.username} (at least 10 characters)</span>
            <input type="password" autoComplete="new-password" value={newPassword} onChange={(e) => setNewPassword(e.target.value)} data-testid="user-new-password" />
          </label>
          <button type="submit" className="primary" disabled={busy || newPassword.length < 10} data-testid="user-save-password">
            Save password
          </button>
          <button type="button" onClick={() => setPasswordFor(null)}>
            Cancel
          </button>
        </form>
      )}
      <form className="form-grid" onSubmit={(e) => void add(e)} aria-label="Add a user">
        <label className="field">
          <span>User name</span>
          <input value={form.username} autoComplete="off" onChange={(e) => setForm({ ...form, username: e.target.value })} data-testid="new-user-name" />
        </label>
        <label className="field">
          <span>Password (at least 10 characters)</span>
          <input type="password" autoComplete="new-password" value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} data-testid="new-user-password" />
        </label>
        <label className="field">
          <span>Role: {ROLE_HELP[form.role]}</span>
          <select value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })} data-testid="new-user-role">
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
        <div className="row end">
          <button type="submit" className="primary" disabled={busy || form.username.trim() === '' || form.password.length < 10} data-testid="add-user">
            Add user
          </button>
        </div>
      </form>
      {error && users !== null && <p className="field-error">{error}</p>}
      {removing && (
        <ConfirmDialog
          title={`Remove ${removing.username}?`}
          confirmLabel="Remove"
          danger
          onConfirm={() => {
            const u = removing;
            setRemoving(null);
            void run(() => api.call('users.delete', { id: u.id }), `Removed ${u.username}`);
          }}
          onCancel={() => setRemoving(null)}
        >
          Their sessions and API key stop working at once.
        </ConfirmDialog>
      )}
    </div>
  );
}
