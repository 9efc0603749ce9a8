// Browser login: takes the API key and exchanges it for a session cookie.
import { useState, type FormEvent } from 'react';
import { useSession } from '../../stores/session.store';

export function LoginScreen() {
  const [key, setKey] = useState('');
  const { login, loginError } = useSession();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (key.trim()) void login(key);
  };
  return (
    <main className="login">
      <form onSubmit={submit} className="login-card" aria-label="Log in">
        <h1>Vigil</h1>
        <p>Enter the API key printed when the server started, or open its one-time login link.</p>
        <label htmlFor="api-key">API key</label>
        <input id="api-key" type="password" autoFocus autoComplete="current-password" value={key} onChange={(e) => setKey(e.target.value)} />
        {loginError && (
          <p role="alert" className="error">
            {loginError}
          </p>
        )}
        <button type="submit">Log in</button>
      </form>
    </main>
  );
}
