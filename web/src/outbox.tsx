/** Delivery status of sent messages: queued, retrying (with the remote server's reply), delivered, bounced. */
import { useEffect, useState } from 'preact/hooks';
import { get, type ListItem } from './api';
import { longDate } from './format';

interface Recipient {
  address: string;
  state: 'queued' | 'retrying' | 'delivered' | 'bounced' | 'expired';
  attempts: number;
  nextAttemptAt: number | null;
  lastReply: string | null;
  host: string | null;
  updatedAt: number;
}

const WORDS: Record<Recipient['state'], string> = {
  queued: 'Waiting to be sent',
  retrying: 'Retrying',
  delivered: 'Delivered',
  bounced: 'Could not be delivered',
  expired: 'Gave up',
};

export function Outbox() {
  const [data, setData] = useState<Array<{ message: ListItem | null; folderId: number | null; recipients: Recipient[]; createdAt: number }> | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const load = () => get<{ messages: NonNullable<typeof data> }>('/outbox').then((r) => setData(r.messages), (e: Error) => setError(e.message));
    void load();
    const t = setInterval(load, 5000);
    return () => clearInterval(t);
  }, []);
  if (error) return <p class="error" role="alert">{error}</p>;
  if (!data) return <p aria-busy="true">Loading…</p>;
  return (
    <section class="outbox" id="outbox">
      <h1>Delivery status</h1>
      {data.length === 0 && <p>Nothing sent to other servers yet. Mail to addresses here is delivered at once.</p>}
      {data.map((g, i) => (
        <article key={i} class="outbox-message">
          <h2>{g.message ? (g.folderId ? <a href={`#/f/${g.folderId}/m/${g.message.uid}`}>{g.message.subject || '(no subject)'}</a> : g.message.subject) : 'A message'}</h2>
          <p class="hint">Sent {longDate(g.createdAt)}</p>
          <table>
            <thead><tr><th scope="col">To</th><th scope="col">Status</th><th scope="col">Details</th></tr></thead>
            <tbody>
              {g.recipients.map((r) => (
                <tr key={r.address} class={`state-${r.state}`} data-state={r.state}>
                  <td>{r.address}</td>
                  <td>{WORDS[r.state]}</td>
                  <td>
                    {r.lastReply && <span class="reply">{r.host ? `${r.host}: ` : ''}{r.lastReply}</span>}
                    {r.state === 'retrying' && r.nextAttemptAt && <span class="hint"> Next try {longDate(r.nextAttemptAt)}.</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </article>
      ))}
    </section>
  );
}
