import { useState, type FormEvent } from 'react';
import { ApiError, describeError, type Api, type Connection, type ConnectionCreated, type Integration } from './api';
import { hrefOf } from './routes';
import { SimulateInboundDialog } from './SimulateInbound';
import { Dialog, ErrorState, Loading, TableHead, TrashIcon, useAsync, type SnackbarMessage } from './ui';

/**
 * Carrier secrets by connection code, as far as this console has seen them: the API shows a
 * secret once (at creation), so the console can prefill it only for what it created or was given.
 */
export type CarrierSecrets = Map<string, string>;

interface Props {
  api: Api;
  notify: (message: SnackbarMessage | null) => void;
  carrierSecrets: CarrierSecrets;
}

type Open =
  | { kind: 'create' }
  | { kind: 'created'; connection: ConnectionCreated }
  | { kind: 'simulate'; connection: Connection }
  | { kind: 'delete'; connection: Connection };

/**
 * The tenant's connections, read-only: `http` ones are the operator's (root key), so the console
 * offers no way to create or edit them. Sandbox connections are the tenant's own: create, delete,
 * and play the contact with "Simulate inbound message".
 */
export function ConnectionsView({ api, notify, carrierSecrets }: Props) {
  const [list, reload] = useAsync(() => api.listConnections(), [api]);
  const [integrations, reloadIntegrations] = useAsync(() => api.listIntegrations(), [api]);
  const [open, setOpen] = useState<Open | null>(null);
  const users = (code: string): Integration[] =>
    integrations.state === 'ready'
      ? integrations.data.items.filter((integration) =>
          integration.connections.some((connection) => connection.code === code),
        )
      : [];

  const remove = async (connection: Connection) => {
    setOpen(null);
    try {
      await api.deleteConnection(connection.code);
      carrierSecrets.delete(connection.code);
      notify({ tone: 'info', text: `Connection ${connection.code} was deleted` });
    } catch (error) {
      notify({ tone: 'error', text: `${connection.code} was not deleted: ${describeError(error)}` });
    }
    reload();
  };

  return (
    <section aria-labelledby="connections-title">
      <div className="page-header">
        <h1 id="connections-title">Connections</h1>
        <button type="button" className="primary" onClick={() => setOpen({ kind: 'create' })}>
          New sandbox connection
        </button>
      </div>
      <div className="stack intro">
        <p>
          A connection is a carrier account and its senders. <strong>Carrier connections</strong> are provisioned for
          your account by the operator of this chathook and are read-only here: ask your operator to add, change or
          remove one.
        </p>
        <p>
          <strong>Sandbox connections</strong> are yours: their replies are recorded (
          <code>GET /v1/sandbox/messages</code>) instead of sent, and with <em>Simulate inbound message</em> you write
          in as a contact, so you can follow a whole chat without any carrier.
        </p>
      </div>
      {list.state === 'loading' ? <Loading what="connections" /> : null}
      {list.state === 'error' ? <ErrorState error={list.error} retry={reload} /> : null}
      {list.state === 'ready' && list.data.items.length === 0 ? (
        <div className="state empty">
          <p>
            No connection yet. Create a sandbox connection to try a chat, or ask your operator for a carrier connection.
          </p>
        </div>
      ) : null}
      {list.state === 'ready' && list.data.items.length > 0 ? (
        <div className="table-wrap">
          <table className="connections">
            <caption className="visually-hidden">Connections</caption>
            <TableHead columns={['Connection', 'Channel', 'Senders', 'Carrier', 'Used by']} actions />
            <tbody>
              {list.data.items.map((connection) => (
                <ConnectionRow
                  key={connection.code}
                  connection={connection}
                  users={users(connection.code)}
                  onSimulate={() => setOpen({ kind: 'simulate', connection })}
                  onDelete={() => setOpen({ kind: 'delete', connection })}
                />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {open?.kind === 'create' ? (
        <CreateSandboxDialog
          api={api}
          onClose={() => setOpen(null)}
          onCreated={(connection) => {
            carrierSecrets.set(connection.code, connection.carrierSecret);
            setOpen({ kind: 'created', connection });
            reload();
          }}
        />
      ) : null}
      {open?.kind === 'created' ? (
        <CreatedDialog
          connection={open.connection}
          onClose={() => setOpen(null)}
          onSimulate={() => setOpen({ kind: 'simulate', connection: open.connection })}
        />
      ) : null}
      {open?.kind === 'simulate' ? (
        <SimulateInboundDialog
          api={api}
          connection={open.connection}
          knownSecret={carrierSecrets.get(open.connection.code)}
          onAccepted={(secret) => carrierSecrets.set(open.connection.code, secret)}
          integrations={users(open.connection.code)}
          onClose={() => {
            setOpen(null);
            reloadIntegrations();
          }}
        />
      ) : null}
      {open?.kind === 'delete' ? (
        <Dialog
          title="Delete sandbox connection"
          onClose={() => setOpen(null)}
          actions={
            <>
              <button type="button" onClick={() => setOpen(null)}>
                Cancel
              </button>
              <button type="button" className="danger" onClick={() => void remove(open.connection)}>
                Delete
              </button>
            </>
          }
        >
          <p>
            Delete <strong>{open.connection.code}</strong>? Its senders and carrier secret are removed for good. An
            integration that lists it has to drop it first.
          </p>
        </Dialog>
      ) : null}
    </section>
  );
}

function ConnectionRow(props: {
  connection: Connection;
  users: Integration[];
  onSimulate: () => void;
  onDelete: () => void;
}) {
  const { connection, users } = props;
  const sandbox = connection.carrier.type === 'sandbox';
  return (
    <tr>
      <td className="mono">{connection.code}</td>
      <td>{connection.channel}</td>
      <td className="mono break">{connection.senders.join(', ')}</td>
      <td>
        {connection.carrier.type === 'http' ? (
          <span className="stack start">
            <span className="mono break">{connection.carrier.url}</span>
            <span className="muted">Carrier connection, provisioned by the operator</span>
          </span>
        ) : (
          <span className="stack start">
            <span className="badge">Sandbox</span>
            <span className="muted">Replies are recorded, not sent</span>
          </span>
        )}
      </td>
      <td>
        {users.length === 0 ? (
          <span className="muted">No integration</span>
        ) : (
          <ul className="plain-list">
            {users.map((integration) => (
              <li key={integration.id}>
                <a href={hrefOf({ page: 'deliveries', id: integration.id })}>{integration.alias}</a>{' '}
                <span className={`badge ${integration.status === 'ACTIVE' ? 'active' : ''}`}>
                  {integration.status === 'ACTIVE' ? 'Active' : 'Inactive'}
                </span>
              </li>
            ))}
          </ul>
        )}
      </td>
      <td>
        {sandbox ? (
          <span className="row-actions nowrap">
            <button
              type="button"
              onClick={props.onSimulate}
              aria-label={`Simulate inbound message on ${connection.code}`}
            >
              Simulate inbound message
            </button>
            <button
              type="button"
              className="icon-button danger-text"
              onClick={props.onDelete}
              aria-label={`Delete connection ${connection.code}`}
            >
              <TrashIcon />
            </button>
          </span>
        ) : (
          <span className="muted">Read-only</span>
        )}
      </td>
    </tr>
  );
}

const CODE_PATTERN = '[A-Za-z0-9][A-Za-z0-9_\\-]{0,63}';

function CreateSandboxDialog({
  api,
  onClose,
  onCreated,
}: {
  api: Api;
  onClose: () => void;
  onCreated: (connection: ConnectionCreated) => void;
}) {
  const [code, setCode] = useState('');
  const [channel, setChannel] = useState<'SMS' | 'WHATSAPP'>('SMS');
  const [senders, setSenders] = useState('');
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<string[]>([]);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setErrors([]);
    try {
      const list = senders
        .split(/[\s,]+/)
        .map((sender) => sender.trim())
        .filter(Boolean);
      onCreated(await api.createSandboxConnection({ code: code.trim(), channel, senders: list }));
    } catch (error) {
      const fields = error instanceof ApiError ? Object.entries(error.fieldErrors()) : [];
      setErrors(
        fields.length > 0
          ? fields.map(([path, message]) => `${path.replace(/^body\./, '')}: ${message}`)
          : [describeError(error)],
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog title="New sandbox connection" onClose={onClose}>
      <form className="stack" onSubmit={(event) => void submit(event)}>
        <p className="muted">
          A sandbox connection records the replies sent through it instead of sending them. Carrier connections are
          provisioned by your operator.
        </p>
        <label htmlFor="sandbox-code">Code</label>
        <input
          id="sandbox-code"
          required
          pattern={CODE_PATTERN}
          value={code}
          onChange={(event) => setCode(event.target.value)}
          aria-describedby="sandbox-code-help"
        />
        <span id="sandbox-code-help" className="muted">
          Letters, digits, &quot;_&quot; and &quot;-&quot;; unique on the platform.
        </span>
        <label htmlFor="sandbox-channel">Channel</label>
        <select
          id="sandbox-channel"
          value={channel}
          onChange={(event) => setChannel(event.target.value === 'WHATSAPP' ? 'WHATSAPP' : 'SMS')}
        >
          <option value="SMS">SMS</option>
          <option value="WHATSAPP">WhatsApp</option>
        </select>
        <label htmlFor="sandbox-senders">Senders</label>
        <input
          id="sandbox-senders"
          required
          value={senders}
          onChange={(event) => setSenders(event.target.value)}
          aria-describedby="sandbox-senders-help"
        />
        <span id="sandbox-senders-help" className="muted">
          The numbers contacts write to, separated by commas. Sandbox senders are yours alone: they never take a real
          sender.
        </span>
        {errors.length > 0 ? (
          <div className="form-error" role="alert">
            {errors.map((error) => (
              <p key={error}>{error}</p>
            ))}
          </div>
        ) : null}
        <div className="form-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function CreatedDialog({
  connection,
  onClose,
  onSimulate,
}: {
  connection: ConnectionCreated;
  onClose: () => void;
  onSimulate: () => void;
}) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    await navigator.clipboard.writeText(connection.carrierSecret).catch(() => undefined);
    setCopied(true);
  };
  return (
    <Dialog
      title="Sandbox connection created"
      onClose={onClose}
      actions={
        <button type="button" className="primary" onClick={onSimulate}>
          Simulate inbound message
        </button>
      }
    >
      <div className="stack">
        <p>
          Every inbound callback of <strong>{connection.code}</strong> (
          <code>POST /carriers/{connection.code}/inbound</code>) must carry this carrier secret as{' '}
          <code>Authorization: Bearer …</code>. It is shown only now: store it. This console remembers it until you
          reload the page or sign out.
        </p>
        <span className="row-actions secret">
          <code className="break" aria-label="Carrier secret">
            {connection.carrierSecret}
          </code>
          <button type="button" onClick={() => void copy()}>
            {copied ? 'Copied' : 'Copy'}
          </button>
        </span>
      </div>
    </Dialog>
  );
}
