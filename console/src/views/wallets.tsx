import { api, Page, route } from '../api';
import { money, time } from '../format';
import { useLoad } from '../hooks';
import { Problem, Table } from '../ui';

interface Wallet {
  id: string;
  currency: string;
  balance: number;
  external_id: string | null;
  created_at: string;
}

interface LedgerEntry {
  id: string;
  type: string;
  amount: number;
  balance_after: number | null;
  reference_type: string;
  reference_id: string;
  created_at: string;
}

export function WalletsView() {
  const wallets = useLoad(() => api<Page<Wallet>>('GET', '/v1/wallets?limit=100'), [], 5000);
  const list = wallets.data?.data ?? [];
  return (
    <section aria-labelledby="wallets-title">
      <h2 id="wallets-title">Wallets</h2>
      <Problem error={wallets.error} />
      <Table caption="Your wallets, newest first" head={['Wallet', 'Currency', 'Balance', 'External id', 'Created']} empty={wallets.data !== undefined && list.length === 0}>
        {list.map((wallet) => (
          <tr key={wallet.id}>
            <td>
              <a href={`#/wallets/${wallet.id}`}>{wallet.id}</a>
            </td>
            <td>{wallet.currency}</td>
            <td class="num">{money(wallet.balance, wallet.currency)}</td>
            <td>{wallet.external_id ?? <span class="muted">—</span>}</td>
            <td class="nowrap">{time(wallet.created_at)}</td>
          </tr>
        ))}
      </Table>
    </section>
  );
}

/** One wallet, its balance, and the ledger entries behind it. */
export function WalletView({ walletId }: { walletId: string }) {
  const wallet = useLoad(() => api<Wallet>('GET', route`/v1/wallets/${walletId}`), [walletId], 3000);
  const entries = useLoad(() => api<Page<LedgerEntry>>('GET', `${route`/v1/wallets/${walletId}/transactions`}?limit=100`), [walletId], 3000);
  const currency = wallet.data?.currency ?? '';
  const list = entries.data?.data ?? [];
  return (
    <section aria-labelledby="wallet-title">
      <h2 id="wallet-title">
        Wallet <code>{walletId}</code>
      </h2>
      <p>
        <a href="#/wallets">← All wallets</a>
      </p>
      <Problem error={wallet.error ?? entries.error} />
      {wallet.data && (
        <p class="balance">
          Balance <strong>{money(wallet.data.balance, currency)}</strong>
        </p>
      )}
      <Table caption="Ledger entries, newest first" head={['Entry', 'Type', 'Amount', 'Balance after', 'Reference', 'Time']} empty={entries.data !== undefined && list.length === 0}>
        {list.map((entry) => (
          <tr key={entry.id} class="ledger-row">
            <td class="num">{entry.id}</td>
            <td>{entry.type}</td>
            <td class={`num ${entry.amount < 0 ? 'debit' : 'credit'}`}>{money(entry.amount, currency)}</td>
            <td class="num">{entry.balance_after === null ? '—' : money(entry.balance_after, currency)}</td>
            <td>
              {entry.reference_type} <code class="small">{entry.reference_id}</code>
            </td>
            <td class="nowrap">{time(entry.created_at)}</td>
          </tr>
        ))}
      </Table>
    </section>
  );
}
