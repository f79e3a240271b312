import type { ComponentChildren } from 'preact';
import { ApiError } from './api';

export function Problem({ error }: { error: unknown }) {
  if (error === undefined) return null;
  const text = error instanceof ApiError ? `${error.code}: ${error.message}` : String(error);
  return (
    <p class="problem" role="alert">
      {text}
    </p>
  );
}

export function Table({ caption, head, children, empty }: { caption: string; head: string[]; children: ComponentChildren; empty?: boolean }) {
  return (
    <div class="table-wrap">
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {head.map((h) => (
              <th scope="col">{h}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {children}
          {empty && (
            <tr>
              <td colSpan={head.length} class="empty">
                Nothing yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

export function Outcome({ outcome }: { outcome: string | null }) {
  return outcome ? <span class={`badge outcome-${outcome}`}>{outcome}</span> : <span class="muted">—</span>;
}

export function Status({ status }: { status: number | null }) {
  if (status === null) return <span class="badge status-none" title="No answer was sent">no answer</span>;
  return <span class={`badge status-${Math.floor(status / 100)}xx`}>{status}</span>;
}

export const keyLink = (key: string) => `#/keys/${encodeURIComponent(key)}`;
