// Browser login: an API key, or a user account (admin, operator or viewer), exchanged for a session cookie.
import { useState, type FormEvent } from 'react';
import { useSession } from '../../stores/session.store';

export function LoginScreen() {
  const [mode, setMode] = useState<'key' | 'user'>('key');
  const [key, setKey] = useState('');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const { login, loginUser, loginError } = useSession();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (mode === 'key' && key.trim()) void login(key);
    if (mode === 'user' && username.trim() && password) void loginUser(username, password);
  };
  return (
    <main className="login">
      <form onSubmit={submit} className="login-card" aria-label="Log in">
        <h1>Vigil</h1>
        {mode === 'key' ? (
          <>
            <p>Enter the API key printed when the server started, or open its one-time login link.</p>
            <label htmlFor="api-key">API key</label>
            <input id="api-key" type="password" autoFocus autoComplete="current-password" value={key} onChange={(e) => setKey(e.target.value)} />
          </>
        ) : (
          <>
            <p>Sign in with the user account an administrator made for you.</p>
            <label htmlFor="username">User name</label>
            <input id="username" autoFocus autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} />
            <label htmlFor="password">Password</label>
            <input id="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
          </>
        )}
        {loginError && (
          <p role="alert" className="error">
            {loginError}
          </p>
        )}
        <button type="submit">Log in</button>
        <button type="button" className="linklike" onClick={() => setMode(mode === 'key' ? 'user' : 'key')} data-testid="login-mode">
          {mode === 'key' ? 'Sign in with a user account instead' : 'Use the API key instead'}
        </button>
      </form>
    </main>
  );
}
