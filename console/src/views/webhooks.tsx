import { useState } from 'preact/hooks';
import { api, isMissingRoute, Page, route } from '../api';
import { time } from '../format';
import { useLoad } from '../hooks';
import { Problem, Table } from '../ui';

interface Endpoint {
  id: string;
  url: string;
  events: string[];
  created_at: string;
}

/** A delivery attempt as GET /v1/webhooks/:id/deliveries lists it; fields read defensively, the route's shape may grow. */
interface Delivery {
  id: string;
  event_id?: string;
  event_type?: string;
  status?: string;
  delivered?: boolean;
  response_code?: number | null;
  status_code?: number | null;
  error?: string | null;
  attempt?: number;
  created_at?: string;
  next_retry_at?: string | null;
}

export function WebhooksView() {
  const endpoints = useLoad(() => api<Page<Endpoint>>('GET', '/v1/webhooks?limit=100'), [], 5000);
  const [note, setNote] = useState<{ text: string; problem?: unknown } | undefined>(undefined);
  const list = endpoints.data?.data ?? [];
  // A client has a limited number of endpoints; deleting one also deletes its delivery log, so it is asked first.
  const remove = async (endpoint: Endpoint) => {
    if (!window.confirm(`Delete the endpoint ${endpoint.url} and its delivery log?`)) return;
    try {
      await api('DELETE', route`/v1/webhooks/${endpoint.id}`);
      setNote({ text: `Deleted the endpoint ${endpoint.url}.` });
      endpoints.reload();
    } catch (error) {
      setNote({ text: '', problem: error });
    }
  };
  return (
    <section aria-labelledby="webhooks-title">
      <h2 id="webhooks-title">Webhook endpoints</h2>
      {isMissingRoute(endpoints.error) ? <p class="muted">This server does not list webhook endpoints.</p> : <Problem error={endpoints.error} />}
      <p role="status">{note?.text}</p>
      <Problem error={note?.problem} />
      <Table caption="Your endpoints, newest first" head={['Endpoint', 'URL', 'Events', 'Created', '']} empty={endpoints.data !== undefined && list.length === 0}>
        {list.map((endpoint) => (
          <tr key={endpoint.id}>
            <td>
              <a href={`#/webhooks/${endpoint.id}`}>{endpoint.id}</a>
            </td>
            <td>{endpoint.url}</td>
            <td>{endpoint.events.join(', ')}</td>
            <td class="nowrap">{time(endpoint.created_at)}</td>
            <td>
              <button type="button" class="secondary small" onClick={() => void remove(endpoint)} aria-label={`Delete the endpoint ${endpoint.url}`}>
                Delete
              </button>
            </td>
          </tr>
        ))}
      </Table>
    </section>
  );
}

export function DeliveriesView({ endpointId }: { endpointId: string }) {
  const deliveries = useLoad(() => api<Page<Delivery>>('GET', `${route`/v1/webhooks/${endpointId}/deliveries`}?limit=100`), [endpointId], 3000);
  const [note, setNote] = useState<{ text: string; problem?: unknown } | undefined>(undefined);
  const list = deliveries.data?.data ?? [];
  const redeliver = async (delivery: Delivery) => {
    try {
      await api('POST', route`/v1/webhooks/${endpointId}/deliveries/${delivery.id}/redeliver`);
      setNote({ text: `Delivery ${delivery.id} sent again.` });
      deliveries.reload();
    } catch (error) {
      setNote(isMissingRoute(error) ? { text: 'Redelivery is not available on this server yet.' } : { text: '', problem: error });
    }
  };
  return (
    <section aria-labelledby="deliveries-title">
      <h2 id="deliveries-title">
        Deliveries to <code>{endpointId}</code>
      </h2>
      <p>
        <a href="#/webhooks">← All endpoints</a>
      </p>
      {isMissingRoute(deliveries.error) ? <p class="muted">This server does not list webhook deliveries yet.</p> : <Problem error={deliveries.error} />}
      <p role="status">{note?.text}</p>
      <Problem error={note?.problem} />
      <Table caption="Delivery attempts, newest first" head={['Attempt', 'Event', 'Result', 'Response', 'Time', 'Next retry', '']} empty={deliveries.data !== undefined && list.length === 0}>
        {list.map((delivery) => (
          <tr key={delivery.id}>
            <td class="num">{delivery.attempt ?? delivery.id}</td>
            <td>{delivery.event_type ?? delivery.event_id ?? '—'}</td>
            <td>{delivery.status ?? (delivery.delivered ? 'delivered' : 'failed')}</td>
            <td>{delivery.response_code ?? delivery.status_code ?? delivery.error ?? '—'}</td>
            <td class="nowrap">{delivery.created_at ? time(delivery.created_at) : '—'}</td>
            <td class="nowrap">{delivery.next_retry_at ? time(delivery.next_retry_at) : '—'}</td>
            <td>
              <button type="button" class="secondary small" onClick={() => void redeliver(delivery)}>
                Redeliver
              </button>
            </td>
          </tr>
        ))}
      </Table>
    </section>
  );
}
