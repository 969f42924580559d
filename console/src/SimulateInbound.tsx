import { useState, type FormEvent } from 'react';
import { ApiError, describeError, type Api, type Connection, type Integration, type MoAccepted } from './api';
import { hrefOf } from './routes';
import { Dialog } from './ui';

type Outcome =
  | { kind: 'accepted'; answer: MoAccepted }
  | { kind: 'refused'; status: number; code: string; message: string; hint: string | null };

/** What a refusal means for someone trying the sandbox, beyond the server's message. */
const hintOf = (error: ApiError): string | null => {
  if (error.status === 401) return 'The carrier secret does not match this connection.';
  if (error.code === 'NO_ROUTE')
    return 'Start an integration that lists this connection (Integrations), then send again.';
  if (error.status === 0) return 'The server could not be reached.';
  return null;
};

/** Unique enough per click, and available on a plain-http host, where crypto.randomUUID is not. */
const newMessageId = () => `console-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;

/**
 * Plays the carrier of a sandbox connection: posts its inbound (MO) callback as the carrier
 * would, so chathook opens a chat and delivers it to the integration's webhook. The console
 * talks to the public API only, and that callback is authenticated by the connection's carrier
 * secret, which the API never returns after creation: the form asks for it.
 */
export function SimulateInboundDialog(props: {
  api: Api;
  connection: Connection;
  knownSecret: string | undefined;
  onAccepted: (carrierSecret: string) => void;
  integrations: Integration[];
  onClose: () => void;
}) {
  const { api, connection, integrations } = props;
  const [secret, setSecret] = useState(props.knownSecret ?? '');
  const [from, setFrom] = useState('5491100000001');
  const [to, setTo] = useState(connection.senders[0] ?? '');
  const [text, setText] = useState('Hello! I would like to know where my order is.');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  const send = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setOutcome(null);
    try {
      const answer = await api.simulateInbound(connection.code, secret.trim(), {
        messageId: newMessageId(),
        from: from.trim(),
        to,
        text,
      });
      props.onAccepted(secret.trim());
      setOutcome({ kind: 'accepted', answer });
    } catch (error) {
      setOutcome(
        error instanceof ApiError
          ? { kind: 'refused', status: error.status, code: error.code, message: error.message, hint: hintOf(error) }
          : { kind: 'refused', status: 0, code: 'ERROR', message: describeError(error), hint: null },
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title={`Simulate inbound message — ${connection.code}`} onClose={props.onClose}>
      <form className="stack" onSubmit={(event) => void send(event)}>
        <p>
          Write in as a contact: the console posts <code>POST /carriers/{connection.code}/inbound</code> as the carrier
          would, and chathook delivers the message to the integration that has this connection active.
        </p>
        <label htmlFor="simulate-secret">Carrier secret</label>
        <input
          id="simulate-secret"
          type="password"
          autoComplete="off"
          required
          value={secret}
          onChange={(event) => setSecret(event.target.value)}
          aria-describedby="simulate-secret-help"
        />
        <span id="simulate-secret-help" className="muted">
          {props.knownSecret ? (
            'Filled in: this console saw the secret when the connection was created (or when you last sent with it) in this session.'
          ) : (
            <>
              chathook shows a carrier secret only once, when the connection is created, and the console cannot read it
              back. Paste it here: for the development sandbox, <code>npm start</code> printed it and keeps it in{' '}
              <code>.chathook/dev-tenant.json</code> (<code>sandbox.carrierSecret</code>).
            </>
          )}
        </span>
        <div className="simulate-grid">
          <div className="stack">
            <label htmlFor="simulate-from">From (contact number)</label>
            <input
              id="simulate-from"
              required
              inputMode="numeric"
              value={from}
              onChange={(event) => setFrom(event.target.value)}
            />
          </div>
          <div className="stack">
            <label htmlFor="simulate-to">To (sender)</label>
            <select id="simulate-to" value={to} onChange={(event) => setTo(event.target.value)}>
              {connection.senders.map((sender) => (
                <option key={sender} value={sender}>
                  {sender}
                </option>
              ))}
            </select>
          </div>
        </div>
        <label htmlFor="simulate-text">Text</label>
        <textarea
          id="simulate-text"
          rows={3}
          maxLength={4096}
          value={text}
          onChange={(event) => setText(event.target.value)}
        />
        <div className="form-actions">
          <button type="submit" className="primary" disabled={busy || secret.trim() === ''}>
            {busy ? 'Sending…' : 'Send inbound message'}
          </button>
        </div>
      </form>
      {outcome?.kind === 'accepted' ? (
        <div className="stack outcome accepted" role="status" aria-label="Answer">
          <strong>
            202 Accepted: chat <code>{outcome.answer.chatId}</code>
            {outcome.answer.duplicate ? ' (a repeat of a message already accepted)' : ''}
          </strong>
          <WatchLinks integrations={integrations} />
        </div>
      ) : null}
      {outcome?.kind === 'refused' ? (
        <div className="stack outcome card-error" role="alert" aria-label="Answer">
          <strong>
            {outcome.status > 0 ? `${outcome.status} ` : ''}
            {outcome.code}: {outcome.message}
          </strong>
          {outcome.hint ? <span>{outcome.hint}</span> : null}
        </div>
      ) : null}
    </Dialog>
  );
}

/** Where the accepted message shows up: the chat, and its delivery to the integration's webhook. */
function WatchLinks({ integrations }: { integrations: Integration[] }) {
  const active = integrations.filter((integration) => integration.status === 'ACTIVE');
  if (active.length === 0) {
    return (
      <span>
        Follow it in <a href={hrefOf({ page: 'deliveries' })}>Deliveries</a> and{' '}
        <a href={hrefOf({ page: 'chats' })}>Chats</a>.
      </span>
    );
  }
  return (
    <ul className="plain-list">
      {active.map((integration) => (
        <li key={integration.id}>
          <a href={hrefOf({ page: 'deliveries', id: integration.id })}>Deliveries of {integration.alias}</a> ·{' '}
          <a href={hrefOf({ page: 'chats', id: integration.id })}>Chats of {integration.alias}</a>
        </li>
      ))}
    </ul>
  );
}
