import { useState } from 'preact/hooks';
import { api, Page, query } from '../api';
import { pretty, time } from '../format';
import { useLoad } from '../hooks';
import { keyLink, Outcome, Problem, Status, Table } from '../ui';

export interface LoggedRequest {
  id: string;
  method: string;
  route: string;
  path: string;
  status: number | null;
  idempotency_key: string | null;
  idempotency_outcome: string | null;
  sandbox_fault: string | null;
  duration_ms: number;
  request_body: string | null;
  response_body: string | null;
  created_at: string;
}

const POLL_MS = 2000;
const rowKey = (entry: LoggedRequest) => `${entry.id}|${entry.created_at}`;

/** The request log, filtered by key, status and route (kept in the address), refreshed every 2 s. */
export function RequestsView({ params }: { params: URLSearchParams }) {
  const filters = { idempotency_key: params.get('key') ?? '', status: params.get('status') ?? '', route: params.get('route') ?? '' };
  const newest = useLoad(() => api<Page<LoggedRequest>>('GET', `/v1/requests${query({ ...filters, limit: 50 })}`), [filters.idempotency_key, filters.status, filters.route], POLL_MS);
  const [older, setOlder] = useState<{ entries: LoggedRequest[]; cursor: string | null; filters: string } | undefined>(undefined);
  const filterKey = JSON.stringify(filters);
  const olderHere = older?.filters === filterKey ? older : undefined;
  const [open, setOpen] = useState<string | undefined>(undefined);

  const apply = (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    location.hash = `#/requests${query({ key: String(form.get('key') ?? '').trim(), status: String(form.get('status') ?? '').trim(), route: String(form.get('route') ?? '').trim() })}`;
  };
  const loadOlder = async () => {
    const cursor = olderHere ? olderHere.cursor : newest.data?.next_cursor;
    if (!cursor) return;
    const page = await api<Page<LoggedRequest>>('GET', `/v1/requests${query({ ...filters, limit: 50, cursor })}`);
    setOlder({ entries: [...(olderHere?.entries ?? []), ...page.data], cursor: page.next_cursor, filters: filterKey });
  };

  const seen = new Set<string>();
  const entries = [...(newest.data?.data ?? []), ...(olderHere?.entries ?? [])].filter((entry) => !seen.has(rowKey(entry)) && seen.add(rowKey(entry)));
  const more = olderHere ? olderHere.cursor : newest.data?.next_cursor;

  return (
    <section aria-labelledby="requests-title">
      <h2 id="requests-title">Requests</h2>
      <form class="filters" onSubmit={apply} key={filterKey}>
        <label>
          Idempotency key <input name="key" defaultValue={filters.idempotency_key} autocomplete="off" />
        </label>
        <label>
          Status <input name="status" defaultValue={filters.status} placeholder="409 or 4xx" size={8} />
        </label>
        <label>
          Route <input name="route" defaultValue={filters.route} placeholder="/api/v1/orders" />
        </label>
        <button type="submit">Filter</button>
        <a class="button secondary" href="#/requests">
          Clear
        </a>
      </form>
      <p class="muted live" aria-live="polite">
        Refreshed every {POLL_MS / 1000} s · {entries.length} shown
      </p>
      <Problem error={newest.error} />
      <Table caption="Requests, newest first" head={['Time', 'Request', 'Status', 'Key', 'Outcome', 'Fault', 'ms', '']} empty={newest.data !== undefined && entries.length === 0}>
        {entries.map((entry) => {
          const id = rowKey(entry);
          return [
            <tr key={id} class="request-row">
              <td class="nowrap">{time(entry.created_at)}</td>
              <td>
                <code>{entry.method}</code> {entry.path}
              </td>
              <td>
                <Status status={entry.status} />
              </td>
              <td class="key">{entry.idempotency_key ? <a href={keyLink(entry.idempotency_key)}>{entry.idempotency_key}</a> : <span class="muted">—</span>}</td>
              <td>
                <Outcome outcome={entry.idempotency_outcome} />
              </td>
              <td>{entry.sandbox_fault ? <span class="badge fault">{entry.sandbox_fault}</span> : <span class="muted">—</span>}</td>
              <td class="num">{entry.duration_ms.toFixed(1)}</td>
              <td>
                <button type="button" class="secondary small" aria-expanded={open === id} onClick={() => setOpen(open === id ? undefined : id)}>
                  {open === id ? 'Hide' : 'Details'}
                </button>
              </td>
            </tr>,
            open === id && (
              <tr key={`${id}-details`} class="details">
                <td colSpan={8}>
                  <RequestDetails entry={entry} />
                </td>
              </tr>
            ),
          ];
        })}
      </Table>
      {more && (
        <button type="button" class="secondary" onClick={() => void loadOlder()}>
          Load older
        </button>
      )}
    </section>
  );
}

export function RequestDetails({ entry }: { entry: LoggedRequest }) {
  return (
    <div class="bodies">
      <p class="muted">
        Request id <code>{entry.id}</code> · route <code>{entry.route}</code>
      </p>
      <div>
        <h3>Request body</h3>
        <pre>{pretty(entry.request_body)}</pre>
      </div>
      <div>
        <h3>Response body</h3>
        <pre>{entry.status === null ? 'No answer was sent: the connection was closed (drop-response).' : pretty(entry.response_body)}</pre>
      </div>
    </div>
  );
}
