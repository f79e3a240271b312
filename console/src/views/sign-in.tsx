import { useState } from 'preact/hooks';
import { api } from '../api';
import { Problem } from '../ui';
import type { Session } from '../app';

/** Signs in with the API key and secret: an ordinary API request that answers with the session cookie. */
export function SignIn({ signedIn, ended }: { signedIn: (session: Session) => void; ended: boolean }) {
  const [problem, setProblem] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setBusy(true);
    try {
      signedIn(await api<Session>('POST', '/console/session', { headers: { 'X-API-Key': String(form.get('api_key')).trim(), 'X-API-Secret': String(form.get('api_secret')).trim() } }));
    } catch (error) {
      setProblem(error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="sign-in">
      <h1>Ledgerline console</h1>
      {ended && <p role="status">Your session has ended. Sign in again.</p>}
      <form onSubmit={(event) => void submit(event)}>
        <label>
          API key <input name="api_key" autocomplete="username" required />
        </label>
        <label>
          API secret <input name="api_secret" type="password" autocomplete="current-password" required />
        </label>
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
      <Problem error={problem} />
      <p class="muted">The sandbox client's credentials are printed by the service's first start.</p>
    </main>
  );
}
