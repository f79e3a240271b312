import { useState } from 'preact/hooks';
import { api, isMissingRoute, Page, route } from '../api';
import { time } from '../format';
import { useLoad } from '../hooks';
import { Problem, Table } from '../ui';

interface FaultRule {
  id: string;
  fault: string;
  endpoint: string | null;
  key_prefix: string | null;
  remaining: number;
  created_at: string;
}

const ENDPOINTS = ['POST /v1/orders', 'POST /api/v1/orders', 'POST /v1/order', 'POST /v1/payouts', 'POST /api/v1/payouts', 'POST /v1/transfers', 'POST /v1/wallets/:id/deposits'];

/** Arm a fault for the next matching keyed requests (no header needed), see what is left, disarm. */
export function FaultRulesView() {
  const rules = useLoad(() => api<Page<FaultRule>>('GET', '/v1/sandbox/fault-rules?limit=100'), [], 2000);
  const [kind, setKind] = useState('drop-response');
  const [problem, setProblem] = useState<unknown>(undefined);
  const [note, setNote] = useState('');
  const list = rules.data?.data ?? [];

  const arm = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const text = (name: string) => String(form.get(name) ?? '').trim();
    const rule: Record<string, unknown> = { fault: kind === 'delay' ? `delay=${text('delay')}` : kind, times: Number(text('times')) };
    if (kind !== 'rail-reject' && text('endpoint')) rule.endpoint = text('endpoint');
    if (kind !== 'rail-reject' && text('key_prefix')) rule.key_prefix = text('key_prefix');
    try {
      const armed = await api<FaultRule>('POST', '/v1/sandbox/fault-rules', { body: rule });
      setProblem(undefined);
      setNote(`Armed ${armed.fault} for the next ${armed.remaining}.`);
      rules.reload();
    } catch (error) {
      setNote('');
      setProblem(error);
    }
  };
  const disarm = async (rule: FaultRule) => {
    try {
      await api('DELETE', route`/v1/sandbox/fault-rules/${rule.id}`);
      setNote(`Deleted the ${rule.fault} rule.`);
      rules.reload();
    } catch (error) {
      setProblem(error);
    }
  };

  if (isMissingRoute(rules.error) || (rules.error as { status?: number } | undefined)?.status === 404) {
    return (
      <section aria-labelledby="faults-title">
        <h2 id="faults-title">Fault rules</h2>
        <p class="muted">Fault rules are off on this server (production).</p>
      </section>
    );
  }
  return (
    <section aria-labelledby="faults-title">
      <h2 id="faults-title">Fault rules</h2>
      <p class="muted">
        Your next matching requests with an idempotency key get the fault as if they had sent <code>X-Sandbox-Fault</code>, on any instance; rail-reject makes the payout rail reject your next payouts.
      </p>
      <form class="arm" onSubmit={(event) => void arm(event)}>
        <label>
          Fault
          <select name="fault" value={kind} onChange={(event) => setKind((event.currentTarget as HTMLSelectElement).value)}>
            <option value="drop-response">drop-response</option>
            <option value="fail-before-commit">fail-before-commit</option>
            <option value="delay">delay</option>
            <option value="rail-reject">rail-reject</option>
          </select>
        </label>
        {kind === 'delay' && (
          <label>
            Delay (ms) <input name="delay" type="number" min={0} max={30000} defaultValue="2000" required />
          </label>
        )}
        {kind !== 'rail-reject' && (
          <>
            <label>
              Endpoint <input name="endpoint" list="endpoints" placeholder="any keyed request" />
            </label>
            <datalist id="endpoints">
              {ENDPOINTS.map((endpoint) => (
                <option value={endpoint} />
              ))}
            </datalist>
            <label>
              Key prefix <input name="key_prefix" placeholder="ord_" />
            </label>
          </>
        )}
        <label>
          Times <input name="times" type="number" min={1} max={100} defaultValue="1" required />
        </label>
        <button type="submit">Arm</button>
      </form>
      <p role="status">{note}</p>
      <Problem error={problem ?? rules.error} />
      <Table caption="Rules, newest first" head={['Fault', 'Endpoint', 'Key prefix', 'Remaining', 'Created', '']} empty={rules.data !== undefined && list.length === 0}>
        {list.map((rule) => (
          <tr key={rule.id} class={rule.remaining === 0 ? 'spent rule-row' : 'rule-row'}>
            <td>
              <span class="badge fault">{rule.fault}</span>
            </td>
            <td>{rule.endpoint ?? <span class="muted">any</span>}</td>
            <td>{rule.key_prefix ?? <span class="muted">any</span>}</td>
            <td class="num">{rule.remaining === 0 ? 'spent' : rule.remaining}</td>
            <td class="nowrap">{time(rule.created_at)}</td>
            <td>
              <button type="button" class="secondary small" onClick={() => void disarm(rule)} aria-label={`Delete the ${rule.fault} rule`}>
                Delete
              </button>
            </td>
          </tr>
        ))}
      </Table>
    </section>
  );
}
