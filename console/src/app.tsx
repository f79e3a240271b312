import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, whenSignedOut } from './api';
import { time } from './format';
import { useRoute } from './hooks';
import { Problem } from './ui';
import { FaultRulesView } from './views/fault-rules';
import { KeyTimelineView } from './views/key-timeline';
import { PayoutsView } from './views/payouts';
import { RequestsView } from './views/requests';
import { SignIn } from './views/sign-in';
import { WalletsView, WalletView } from './views/wallets';
import { DeliveriesView, WebhooksView } from './views/webhooks';

export interface Session {
  client: { id: string; name: string };
  expires_at: string;
}

const SECTIONS: Array<[string, string]> = [
  ['requests', 'Requests'],
  ['wallets', 'Wallets'],
  ['payouts', 'Payouts'],
  ['webhooks', 'Webhooks'],
  ['faults', 'Fault rules'],
];

export function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [ended, setEnded] = useState(false);
  const [signOutProblem, setSignOutProblem] = useState<string | undefined>(undefined);
  useEffect(() => {
    whenSignedOut(() => {
      setEnded(true);
      setSession(null);
    });
    api<Session>('GET', '/console/session').then(setSession, (error: unknown) => {
      if (error instanceof ApiError && error.status === 401) setSession(null);
      else throw error;
    });
  }, []);
  if (session === undefined) return <p class="loading">Loading the console…</p>;
  if (session === null)
    return (
      <SignIn
        ended={ended}
        signedIn={(opened) => {
          setEnded(false);
          setSession(opened);
        }}
      />
    );
  // Signed out only once the server has ended the session (or it had ended already): a failure leaves it open, and says so.
  const signOut = async () => {
    try {
      await api('DELETE', '/console/session');
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 401)) {
        setSignOutProblem(`Sign-out failed, and the session is still open: ${error instanceof Error ? error.message : String(error)}`);
        return;
      }
    }
    setSignOutProblem(undefined);
    setSession(null);
  };
  return <Console session={session} signOut={() => void signOut()} signOutProblem={signOutProblem} />;
}

function Console({ session, signOut, signOutProblem }: { session: Session; signOut: () => void; signOutProblem: string | undefined }) {
  const { path, params } = useRoute();
  const [section = 'requests', id] = path;
  return (
    <>
      <header>
        <h1>
          <a href="#/requests">Ledgerline console</a>
        </h1>
        <nav aria-label="Sections">
          <ul>
            {SECTIONS.map(([name, label]) => (
              <li>
                <a href={`#/${name}`} aria-current={section === name || (section === 'keys' && name === 'requests') ? 'page' : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <p class="who">
          <span>
            Signed in as <strong>{session.client.name}</strong>
          </span>
          <span class="muted"> until {time(session.expires_at)}</span>
          <button type="button" class="secondary small" onClick={signOut}>
            Sign out
          </button>
        </p>
        <Problem error={signOutProblem} />
      </header>
      <main>
        <View section={section} id={id} params={params} />
      </main>
    </>
  );
}

function View({ section, id, params }: { section: string; id: string | undefined; params: URLSearchParams }) {
  switch (section) {
    case 'keys':
      return id ? <KeyTimelineView idempotencyKey={id} /> : <RequestsView params={params} />;
    case 'wallets':
      return id ? <WalletView walletId={id} /> : <WalletsView />;
    case 'payouts':
      return <PayoutsView />;
    case 'webhooks':
      return id ? <DeliveriesView endpointId={id} /> : <WebhooksView />;
    case 'faults':
      return <FaultRulesView />;
    default:
      return <RequestsView params={params} />;
  }
}
