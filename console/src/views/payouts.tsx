import { api, Page } from '../api';
import { money, time } from '../format';
import { useLoad } from '../hooks';
import { Problem, Table } from '../ui';

interface Payout {
  id: string;
  status: string;
  wallet_id: string;
  amount: number;
  currency: string;
  destination: { type: string; account_number?: string; address?: string; network?: string };
  failure_reason: string | null;
  created_at: string;
  updated_at: string;
}

export function PayoutsView() {
  const payouts = useLoad(() => api<Page<Payout>>('GET', '/v1/payouts?limit=100'), [], 3000);
  const list = payouts.data?.data ?? [];
  return (
    <section aria-labelledby="payouts-title">
      <h2 id="payouts-title">Payouts</h2>
      <Problem error={payouts.error} />
      <Table caption="Your payouts, newest first" head={['Payout', 'Status', 'Amount', 'Destination', 'Failure', 'Updated']} empty={payouts.data !== undefined && list.length === 0}>
        {list.map((payout) => (
          <tr key={payout.id}>
            <td>
              <code class="small">{payout.id}</code>
            </td>
            <td>
              <span class={`badge payout-${payout.status.toLowerCase()}`}>{payout.status}</span>
            </td>
            <td class="num">{money(payout.amount, payout.currency)}</td>
            <td>{payout.destination.account_number ?? `${payout.destination.network ?? ''} ${payout.destination.address ?? ''}`}</td>
            <td>{payout.failure_reason ?? <span class="muted">—</span>}</td>
            <td class="nowrap">{time(payout.updated_at)}</td>
          </tr>
        ))}
      </Table>
    </section>
  );
}
