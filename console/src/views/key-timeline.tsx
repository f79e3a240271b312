import { api, ApiError, Page, query, route } from '../api';
import { time } from '../format';
import { useLoad } from '../hooks';
import { Outcome, Problem, Status, Table } from '../ui';
import { LoggedRequest, RequestDetails } from './requests';

interface RecordSummary {
  key: string;
  endpoint: string;
  state: string;
  response_status: number;
  created_at: string;
  expires_at: string;
}

/** Every attempt under one idempotency key, oldest first: what each got, and how long it took. */
export function KeyTimelineView({ idempotencyKey }: { idempotencyKey: string }) {
  const attempts = useLoad(() => api<Page<LoggedRequest>>('GET', `/v1/requests${query({ idempotency_key: idempotencyKey, limit: 100 })}`), [idempotencyKey], 2000);
  const records = useLoad(
    () =>
      api<Page<RecordSummary>>('GET', route`/v1/idempotency-keys/${idempotencyKey}`).catch((error: unknown) => {
        if (error instanceof ApiError && error.status === 404) return { data: [], next_cursor: null };
        throw error;
      }),
    [idempotencyKey],
    2000,
  );
  const timeline = [...(attempts.data?.data ?? [])].reverse();
  return (
    <section aria-labelledby="key-title">
      <h2 id="key-title">
        Key <code>{idempotencyKey}</code>
      </h2>
      <p>
        <a href="#/requests">← All requests</a>
      </p>
      <Problem error={attempts.error ?? records.error} />
      <Table caption="Every attempt, oldest first" head={['#', 'Time', 'Request', 'Status', 'Outcome', 'Fault', 'Latency (ms)']} empty={attempts.data !== undefined && timeline.length === 0}>
        {timeline.map((entry, i) => (
          <tr key={`${entry.id}|${entry.created_at}`} class="attempt-row">
            <td class="num">{i + 1}</td>
            <td class="nowrap">{time(entry.created_at)}</td>
            <td>
              <code>{entry.method}</code> {entry.path}
            </td>
            <td>
              <Status status={entry.status} />
            </td>
            <td>
              <Outcome outcome={entry.idempotency_outcome} />
            </td>
            <td>{entry.sandbox_fault ?? <span class="muted">—</span>}</td>
            <td class="num">{entry.duration_ms.toFixed(1)}</td>
          </tr>
        ))}
      </Table>
      <Table caption="What the service recorded under this key" head={['Endpoint', 'State', 'Answer', 'Created', 'Expires']} empty={records.data !== undefined && records.data.data.length === 0}>
        {(records.data?.data ?? []).map((record) => (
          <tr key={record.endpoint}>
            <td>{record.endpoint}</td>
            <td>{record.state}</td>
            <td>
              <Status status={record.response_status} />
            </td>
            <td class="nowrap">{time(record.created_at)}</td>
            <td class="nowrap">{time(record.expires_at)}</td>
          </tr>
        ))}
      </Table>
      {timeline.length > 0 && (
        <details>
          <summary>Bodies of the last attempt</summary>
          <RequestDetails entry={timeline[timeline.length - 1]} />
        </details>
      )}
    </section>
  );
}
