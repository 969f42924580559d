import { useEffect, useState } from 'react';
import { ErrorCode } from '../../src/domain/error-catalogue.js';
import { ApiError, describeError, type Api, type ApiDetails, type Integration } from './api';
import { Dialog, ErrorState, formatDate, Loading, RequestLine, TableHead, Tabs, useAsync, useDebounced } from './ui';

export type DetailsTab = 'connections' | 'api';

export function DetailsDialog(props: {
  api: Api;
  integration: Integration;
  initialTab: DetailsTab;
  onClose: () => void;
}) {
  const [tab, setTab] = useState<DetailsTab>(props.initialTab);
  return (
    <Dialog title={`${props.integration.alias} — Details`} onClose={props.onClose} wide>
      <Tabs
        label="Details"
        tabs={[
          { key: 'connections', label: 'Connections Details' },
          { key: 'api', label: 'API Details' },
        ]}
        active={tab}
        onChange={setTab}
      >
        {tab === 'connections' ? (
          <ConnectionsDetailsPanel api={props.api} integration={props.integration} />
        ) : (
          <ApiDetailsPanel api={props.api} integration={props.integration} />
        )}
      </Tabs>
    </Dialog>
  );
}

function ConnectionsDetailsPanel({ api, integration }: { api: Api; integration: Integration }) {
  const [details, reload] = useAsync(() => api.connectionsDetails(integration.id), [api, integration.id]);
  if (details.state === 'loading') return <Loading what="connections" />;
  if (details.state === 'error') return <ErrorState error={details.error} retry={reload} />;
  if (details.data.items.length === 0) {
    return <p className="state empty">This integration has no connections: it serves Chatbot Service campaigns.</p>;
  }
  return (
    <div className="table-wrap">
      <table>
        <caption className="visually-hidden">Connections Details</caption>
        <TableHead columns={['Connection', 'Channel', 'Senders', 'Status', 'Error']} />
        <tbody>
          {details.data.items.map((item) => (
            <tr key={item.code}>
              <td className="mono">{item.code}</td>
              <td>{item.channel ?? '—'}</td>
              <td className="mono">{item.senders.join(', ')}</td>
              <td>
                <span className={`badge ${item.status.toLowerCase()}`}>{item.status}</span>
              </td>
              <td className="error-text">{item.error ? `${item.error.code}: ${item.error.message}` : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ApiDetailsPanel({ api, integration }: { api: Api; integration: Integration }) {
  const [sub, setSub] = useState<'overview' | 'try'>('overview');
  const [details, reload] = useAsync(() => api.apiDetails(integration.id), [api, integration.id]);
  if (details.state === 'loading') return <Loading what="API details" />;
  if (details.state === 'error') return <ErrorState error={details.error} retry={reload} />;
  return (
    <Tabs
      label="API Details"
      tabs={[
        { key: 'overview', label: 'Endpoint' },
        { key: 'try', label: 'Try Out' },
      ]}
      active={sub}
      onChange={setSub}
    >
      {sub === 'overview' ? (
        <ApiOverview api={api} integration={integration} details={details.data} onRotated={reload} />
      ) : (
        <TryOut api={api} integration={integration} details={details.data} />
      )}
    </Tabs>
  );
}

/** What one rotation says and does: the response token and the signing secret rotate alike. */
interface Rotation {
  action: string;
  hint: string;
  confirm: string;
  shownLabel: string;
  shownNote: string;
  notRotated: string;
  rotate: () => Promise<string>;
}

/**
 * A rotation asks first (the receiver of the secret has to follow); the new secret is shown
 * here once, until the panel closes, and is never fetched again.
 */
function RotateSecret({ rotation, onRotated }: { rotation: Rotation; onRotated: () => void }) {
  const [step, setStep] = useState<
    | { kind: 'idle' }
    | { kind: 'confirm' }
    | { kind: 'busy' }
    | { kind: 'done'; secret: string }
    | { kind: 'failed'; message: string }
  >({ kind: 'idle' });
  const [copied, setCopied] = useState(false);
  const rotate = async () => {
    setStep({ kind: 'busy' });
    try {
      setStep({ kind: 'done', secret: await rotation.rotate() });
      setCopied(false);
      onRotated();
    } catch (error) {
      setStep({ kind: 'failed', message: describeError(error) });
    }
  };
  const copy = async (secret: string) => {
    await navigator.clipboard.writeText(secret).catch(() => undefined);
    setCopied(true);
  };
  return (
    <div className="stack rotate-token">
      {step.kind === 'confirm' || step.kind === 'busy' ? (
        <div className="warning stack" role="alert">
          <span>{rotation.confirm}</span>
          <span className="row-actions">
            <button type="button" className="danger" onClick={() => void rotate()} disabled={step.kind === 'busy'}>
              {step.kind === 'busy' ? 'Rotating…' : 'Rotate now'}
            </button>
            <button type="button" onClick={() => setStep({ kind: 'idle' })} disabled={step.kind === 'busy'}>
              Cancel
            </button>
          </span>
        </div>
      ) : (
        <span className="row-actions">
          <button type="button" onClick={() => setStep({ kind: 'confirm' })}>
            {rotation.action}
          </button>
          <span className="muted">{rotation.hint}</span>
        </span>
      )}
      {step.kind === 'done' ? (
        <div className="stack secret">
          <strong>{rotation.shownNote}</strong>
          <span className="row-actions">
            <code className="break" aria-label={rotation.shownLabel}>
              {step.secret}
            </code>
            <button type="button" onClick={() => void copy(step.secret)}>
              {copied ? 'Copied' : 'Copy'}
            </button>
          </span>
        </div>
      ) : null}
      {step.kind === 'failed' ? (
        <p className="card-error" role="alert">
          {rotation.notRotated}: {step.message}
        </p>
      ) : null}
    </div>
  );
}

const tokenRotation = (api: Api, integration: Integration): Rotation => ({
  action: 'Rotate Token',
  hint: 'Issue a new response token if the current one may have leaked.',
  confirm: `Rotate the response token of ${integration.alias}? The current token stops working at once: your system gets 401 until it uses the new one.`,
  shownLabel: 'New response token',
  shownNote: 'New response token: update your system now; the previous token no longer works.',
  notRotated: 'The token was not rotated',
  rotate: async () => (await api.rotateToken(integration.id)).responseToken,
});

const signingSecretRotation = (api: Api, integration: Integration): Rotation => ({
  action: 'Rotate Signing Secret',
  hint: 'Issue a new secret for verifying the webhook-signature of deliveries.',
  confirm: `Rotate the signing secret of ${integration.alias}? For an overlap (SIGNING_SECRET_OVERLAP, 24 hours by default) deliveries carry a signature with the current secret and one with the new one; after it only the new one verifies.`,
  shownLabel: 'New signing secret',
  shownNote: 'New signing secret: it is shown only now. Give it to your receiver before the overlap ends.',
  notRotated: 'The signing secret was not rotated',
  rotate: async () => (await api.rotateSigningSecret(integration.id)).signingSecret,
});

function ApiOverview({
  api,
  integration,
  details,
  onRotated,
}: {
  api: Api;
  integration: Integration;
  details: ApiDetails;
  onRotated: () => void;
}) {
  return (
    <div className="stack">
      <p>Send replies (MT) into a chat the contact started. The chat must exist: the contact writes in first.</p>
      <h3>URL Endpoint</h3>
      <p className="mono endpoint">
        <RequestLine method={details.endpoint.method} url={details.endpoint.url} />
      </p>
      <h3>Headers</h3>
      <div className="table-wrap">
        <table>
          <TableHead columns={['Name', 'Value', 'Required']} />
          <tbody>
            {details.headers.map((header) => (
              <tr key={header.name}>
                <td className="mono">{header.name}</td>
                <td className="mono break">{header.value ?? header.description ?? ''}</td>
                <td>{header.required ? 'yes' : 'no'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <RotateSecret rotation={tokenRotation(api, integration)} onRotated={onRotated} />
      <h3>Signing Secret</h3>
      <p>
        Every delivery to your webhook is signed (Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature)
        with the integration's signing secret.
      </p>
      <RotateSecret rotation={signingSecretRotation(api, integration)} onRotated={() => undefined} />
      <h3>Parameters</h3>
      <ul className="plain-list">
        {details.parameters.map((parameter) => (
          <li key={parameter.name}>
            <code>{parameter.name}</code> ({parameter.in}): {parameter.description}
          </li>
        ))}
      </ul>
      <h3>Body</h3>
      {Object.entries(details.examples).map(([name, example]) => (
        <details key={name}>
          <summary>{name === 'WHATSAPP' ? 'WhatsApp' : name} body</summary>
          <pre className="code">{JSON.stringify(example, null, 2)}</pre>
          <pre className="code">{JSON.stringify(details.bodySchemas[name], null, 2)}</pre>
        </details>
      ))}
      <h3>Responses</h3>
      <div className="table-wrap">
        <table>
          <TableHead columns={['Status', 'Code', 'Meaning']} />
          <tbody>
            {details.responses.map((response) => (
              <tr key={`${response.status}-${response.code ?? ''}`}>
                <td>{response.status}</td>
                <td className="mono">{response.code ?? ''}</td>
                <td>{response.meaning}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function TryOut({ api, integration, details }: { api: Api; integration: Integration; details: ApiDetails }) {
  const [contact, setContact] = useState('');
  const [connection, setConnection] = useState(integration.connections[0]?.code ?? '');
  const [msg, setMsg] = useState('');
  const [curl, setCurl] = useState<string | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [copied, setCopied] = useState(false);
  const request = useDebounced({ contact, connection, msg }, 250);
  const [labels] = useAsync(() => api.connectionsDetails(integration.id), [api, integration.id]);
  const labelOf = (code: string) =>
    labels.state === 'ready' ? (labels.data.items.find((item) => item.code === code)?.label ?? code) : code;

  useEffect(() => {
    let current = true;
    if (!request.contact || !request.connection || !request.msg) {
      setCurl(null);
      return;
    }
    api
      .tryOut(integration.id, {
        contact: request.contact,
        connection: request.connection,
        type: 'MESSAGE',
        msg: request.msg,
      })
      .then(
        (result) => {
          if (!current) return;
          setCurl(result.curl);
          setErrors({});
        },
        (error: unknown) => {
          if (!current) return;
          setCurl(null);
          setErrors(
            error instanceof ApiError && error.code === ErrorCode.VALIDATION_ERROR
              ? error.fieldErrors()
              : { '': describeError(error) },
          );
        },
      );
    return () => {
      current = false;
    };
  }, [api, integration.id, request]);

  const copy = async () => {
    if (!curl) return;
    await navigator.clipboard.writeText(curl).catch(() => undefined);
    setCopied(true);
    setTimeout(() => setCopied(false), 2000);
  };

  if (integration.connections.length === 0) {
    return (
      <p className="state empty">
        Try Out needs a connection. With a Chatbot campaign, reply through the campaign&apos;s sender at{' '}
        {details.endpoint.url}.
      </p>
    );
  }
  return (
    <div className="try-out">
      <form className="stack" onSubmit={(event) => event.preventDefault()} aria-label="Try Out">
        <p className="muted">Use this URL to send response events to chats the contact has started.</p>
        <p className="mono break endpoint">{details.endpoint.url}</p>
        <label htmlFor="try-identify">Identify Chat By</label>
        <select id="try-identify" value="contact" onChange={() => undefined}>
          <option value="contact">Contact</option>
        </select>
        <label htmlFor="try-contact">Contact</label>
        <input
          id="try-contact"
          inputMode="numeric"
          placeholder="5491100000001"
          value={contact}
          onChange={(event) => setContact(event.target.value)}
          aria-invalid={errors.contact ? true : undefined}
          aria-describedby="try-contact-error"
        />
        <span id="try-contact-error" className="field-error">
          {errors.contact ?? ''}
        </span>
        <label htmlFor="try-connection">Connection</label>
        <select id="try-connection" value={connection} onChange={(event) => setConnection(event.target.value)}>
          {integration.connections.map(({ code }) => (
            <option key={code} value={code}>
              {labelOf(code)}
            </option>
          ))}
        </select>
        <label htmlFor="try-type">Event Type</label>
        <select id="try-type" value="MESSAGE" onChange={() => undefined}>
          <option value="MESSAGE">MESSAGE</option>
        </select>
        <label htmlFor="try-msg">Message</label>
        <textarea
          id="try-msg"
          rows={3}
          value={msg}
          onChange={(event) => setMsg(event.target.value)}
          aria-invalid={errors.msg ? true : undefined}
          aria-describedby="try-msg-error"
        />
        <span id="try-msg-error" className="field-error">
          {errors.msg ?? errors[''] ?? ''}
        </span>
      </form>
      <div className="curl-pane">
        <div className="curl-head">
          <h3 id="curl-title">cURL</h3>
          <button type="button" onClick={() => void copy()} disabled={!curl}>
            {copied ? 'Copied' : 'Copy'}
          </button>
        </div>
        <pre className="code curl" aria-labelledby="curl-title" data-testid="curl">
          {curl ?? 'Fill in the contact and the message to generate the command.'}
        </pre>
      </div>
    </div>
  );
}

export function CampaignsDialog(props: { api: Api; integration: Integration; onClose: () => void }) {
  const [campaigns, reload] = useAsync(
    () => props.api.campaigns(props.integration.id),
    [props.api, props.integration.id],
  );
  return (
    <Dialog title={`${props.integration.alias} — Campaigns`} onClose={props.onClose}>
      {campaigns.state === 'loading' ? <Loading what="campaigns" /> : null}
      {campaigns.state === 'error' ? <ErrorState error={campaigns.error} retry={reload} /> : null}
      {campaigns.state === 'ready' ? (
        <div className="stack">
          <p>
            Integration type:{' '}
            <strong>
              {campaigns.data.integrationType === 'CHATBOT'
                ? 'Custom Webhook — Chatbot Service'
                : 'Custom Webhook — Connections'}
            </strong>
          </p>
          {campaigns.data.items.length === 0 ? (
            <p className="state empty">No campaign is linked to this integration.</p>
          ) : (
            <div className="table-wrap">
              <table>
                <TableHead columns={['Campaign Id', 'Campaign Name', 'Integration Date', 'Status']} />
                <tbody>
                  {campaigns.data.items.map((campaign) => (
                    <tr key={campaign.campaignId}>
                      <td className="mono">{campaign.campaignId}</td>
                      <td>{campaign.name}</td>
                      <td>{formatDate(campaign.integrationDate)}</td>
                      <td>{campaign.status}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
      ) : null}
    </Dialog>
  );
}
