import { useEffect, useState } from 'react';
import {
  ApiError,
  describeError,
  type Activation,
  type ActivationFailed,
  type Api,
  type ConnectionsDetails,
  type Integration,
} from './api';
import { hrefOf, navigate } from './routes';
import { CampaignsDialog, DetailsDialog, type DetailsTab } from './Details';
import { Dialog, ErrorState, Loading, RequestLine, useAsync, type SnackbarMessage } from './ui';

interface Props {
  api: Api;
  notify: (message: SnackbarMessage | null) => void;
  onUnauthorized: () => void;
}

type Open =
  | { kind: 'details'; integration: Integration; tab: DetailsTab }
  | { kind: 'campaigns'; integration: Integration }
  | { kind: 'stop-blocked'; integration: Integration; campaigns: { id: string; name: string }[] }
  | { kind: 'delete'; integration: Integration };

export function IntegrationsView({ api, notify, onUnauthorized }: Props) {
  const [list, reload] = useAsync(() => api.listIntegrations(), [api]);
  const [open, setOpen] = useState<Open | null>(null);
  /** Card-level outcome of the last action (a failed start stays visible on its card). */
  const [cardErrors, setCardErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState<string | null>(null);
  /** Bumped after start/stop so the cards refetch their connection statuses. */
  const [statusVersion, setStatusVersion] = useState(0);

  useEffect(() => {
    if (list.state === 'error' && list.error instanceof ApiError && list.error.status === 401) onUnauthorized();
  }, [list, onUnauthorized]);

  const setCardError = (id: string, message: string | null) =>
    setCardErrors((errors) => {
      const { [id]: _previous, ...rest } = errors;
      return message === null ? rest : { ...rest, [id]: message };
    });

  const start = async (integration: Integration) => {
    setBusy(integration.id);
    setCardError(integration.id, null);
    try {
      const result: Activation = await api.start(integration.id);
      if (result.partial) {
        notify({
          tone: 'warning',
          text: `${integration.alias}: ${result.message ?? 'Not all connections were activated'}`,
          action: {
            label: 'Connections Details',
            run: () => {
              notify(null);
              setOpen({ kind: 'details', integration, tab: 'connections' });
            },
          },
        });
      } else {
        notify({ tone: 'info', text: `${integration.alias} is active` });
      }
    } catch (error) {
      if (error instanceof ApiError && error.code === 'ACTIVATION_FAILED') {
        const failed = error.body as unknown as ActivationFailed;
        const reasons = failed.connections.map(
          (connection) => `${connection.code}: ${connection.error?.message ?? 'failed'}`,
        );
        setCardError(integration.id, `${error.message}. ${reasons.join('; ')}`);
      } else {
        setCardError(integration.id, describeError(error));
      }
    } finally {
      setBusy(null);
      setStatusVersion((value) => value + 1);
      reload();
    }
  };

  const stop = async (integration: Integration) => {
    setBusy(integration.id);
    setCardError(integration.id, null);
    try {
      await api.stop(integration.id);
      notify({ tone: 'info', text: `${integration.alias} is stopped` });
    } catch (error) {
      if (error instanceof ApiError && error.code === 'LINKED_TO_LIVE_CAMPAIGNS') {
        const campaigns =
          (error.body.error as { campaigns?: { id: string; name: string }[] } | undefined)?.campaigns ?? [];
        setOpen({ kind: 'stop-blocked', integration, campaigns });
      } else {
        setCardError(integration.id, describeError(error));
      }
    } finally {
      setBusy(null);
      setStatusVersion((value) => value + 1);
      reload();
    }
  };

  const remove = async (integration: Integration) => {
    setOpen(null);
    try {
      await api.deleteIntegration(integration.id);
      notify({ tone: 'info', text: `${integration.alias} was deleted` });
    } catch (error) {
      setCardError(integration.id, describeError(error));
    }
    reload();
  };

  return (
    <section aria-labelledby="integrations-title">
      <div className="page-header">
        <h1 id="integrations-title">Integrations</h1>
        <a className="button primary" href={hrefOf({ page: 'new' })}>
          New Custom Webhook
        </a>
      </div>
      {list.state === 'loading' ? <Loading what="integrations" /> : null}
      {list.state === 'error' ? <ErrorState error={list.error} retry={reload} /> : null}
      {list.state === 'ready' && list.data.items.length === 0 ? (
        <div className="state empty">
          <p>No Custom Webhook yet. Create one to receive your contacts&apos; messages on your own endpoint.</p>
          <a className="button primary" href={hrefOf({ page: 'new' })}>
            Create your first integration
          </a>
        </div>
      ) : null}
      {list.state === 'ready' && list.data.items.length > 0 ? (
        <ul className="cards">
          {list.data.items.map((integration) => (
            <IntegrationCard
              key={integration.id}
              api={api}
              integration={integration}
              statusVersion={statusVersion}
              busy={busy === integration.id}
              error={cardErrors[integration.id] ?? null}
              onDetails={() => setOpen({ kind: 'details', integration, tab: 'connections' })}
              onCampaigns={() => setOpen({ kind: 'campaigns', integration })}
              onStart={() => void start(integration)}
              onStop={() => void stop(integration)}
              onDelete={() => setOpen({ kind: 'delete', integration })}
            />
          ))}
        </ul>
      ) : null}
      {open?.kind === 'details' ? (
        <DetailsDialog api={api} integration={open.integration} initialTab={open.tab} onClose={() => setOpen(null)} />
      ) : null}
      {open?.kind === 'campaigns' ? (
        <CampaignsDialog api={api} integration={open.integration} onClose={() => setOpen(null)} />
      ) : null}
      {open?.kind === 'stop-blocked' ? (
        <Dialog title="The integration cannot be stopped" onClose={() => setOpen(null)}>
          <p>
            <strong>{open.integration.alias}</strong> is linked to live Chatbot campaigns. Pause these campaigns first,
            then stop the integration:
          </p>
          <ul className="plain-list">
            {open.campaigns.map((campaign) => (
              <li key={campaign.id}>
                {campaign.name} <span className="muted">({campaign.id})</span>
              </li>
            ))}
          </ul>
        </Dialog>
      ) : null}
      {open?.kind === 'delete' ? (
        <Dialog
          title="Delete integration"
          onClose={() => setOpen(null)}
          actions={
            <>
              <button type="button" onClick={() => setOpen(null)}>
                Cancel
              </button>
              <button type="button" className="danger" onClick={() => void remove(open.integration)}>
                Delete
              </button>
            </>
          }
        >
          <p>
            Delete <strong>{open.integration.alias}</strong>? Its configuration, response token and signing secret are
            removed for good.
          </p>
        </Dialog>
      ) : null}
    </section>
  );
}

function ConnectionIcons({
  api,
  integration,
  statusVersion,
}: {
  api: Api;
  integration: Integration;
  statusVersion: number;
}) {
  const [details, setDetails] = useState<ConnectionsDetails | null>(null);
  useEffect(() => {
    let current = true;
    if (integration.connections.length === 0) return;
    api.connectionsDetails(integration.id).then(
      (result) => current && setDetails(result),
      () => current && setDetails(null),
    );
    return () => {
      current = false;
    };
  }, [api, integration.id, integration.status, integration.connections.length, statusVersion]);
  if (integration.connections.length === 0) return <span className="muted">No connections (Chatbot Service)</span>;
  return (
    <ul className="connection-icons" aria-label="Connections">
      {integration.connections.map(({ code }) => {
        const detail = details?.items.find((item) => item.code === code);
        const status = detail?.status ?? 'INACTIVE';
        const channel = detail?.channel ?? null;
        return (
          <li
            key={code}
            className={`connection-icon ${status.toLowerCase()}`}
            title={`${detail?.label ?? code}: ${status.toLowerCase()}`}
          >
            <span aria-hidden="true" className="glyph">
              {channel === 'WHATSAPP' ? 'WA' : 'SMS'}
            </span>
            <span>{code}</span>
            <span className="visually-hidden">, {status.toLowerCase()}</span>
          </li>
        );
      })}
    </ul>
  );
}

interface CardProps {
  api: Api;
  integration: Integration;
  statusVersion: number;
  busy: boolean;
  error: string | null;
  onDetails: () => void;
  onCampaigns: () => void;
  onStart: () => void;
  onStop: () => void;
  onDelete: () => void;
}

function IntegrationCard(props: CardProps) {
  const { integration } = props;
  const active = integration.status === 'ACTIVE';
  const titleId = `card-${integration.id}`;
  return (
    <li className={`card integration-card ${active ? 'is-active' : ''}`} aria-labelledby={titleId}>
      <div className="card-head">
        <h2 id={titleId}>{integration.alias}</h2>
        <span className={`badge ${active ? 'active' : ''}`}>{active ? 'Active' : 'Inactive'}</span>
      </div>
      <dl className="facts">
        <dt>URL</dt>
        <dd className="mono">
          <RequestLine method={integration.method} url={integration.url} />
        </dd>
        <dt>Integration Id</dt>
        <dd className="mono">{integration.id}</dd>
        <dt>Connections</dt>
        <dd>
          <ConnectionIcons api={props.api} integration={integration} statusVersion={props.statusVersion} />
        </dd>
      </dl>
      {props.error ? (
        <p className="card-error" role="alert">
          {props.error}
        </p>
      ) : null}
      <div className="card-actions">
        <button type="button" onClick={props.onDetails} aria-label={`Details of ${integration.alias}`}>
          Details
        </button>
        <button type="button" onClick={props.onCampaigns} aria-label={`Campaigns of ${integration.alias}`}>
          Campaigns
        </button>
        <button
          type="button"
          onClick={() => navigate({ page: 'deliveries', id: integration.id })}
          aria-label={`Deliveries of ${integration.alias}`}
        >
          Deliveries
        </button>
        <button
          type="button"
          onClick={() => navigate({ page: 'chats', id: integration.id })}
          aria-label={`Chats of ${integration.alias}`}
        >
          Chats
        </button>
        <button
          type="button"
          onClick={() => navigate({ page: 'edit', id: integration.id })}
          aria-label={`Edit ${integration.alias}`}
        >
          Edit
        </button>
        <button
          type="button"
          className="danger-text"
          onClick={props.onDelete}
          disabled={active}
          aria-label={`Delete ${integration.alias}`}
          title={active ? 'Stop the integration before deleting it' : undefined}
        >
          Delete
        </button>
        {active ? (
          <button
            type="button"
            className="stop"
            onClick={props.onStop}
            disabled={props.busy}
            aria-label={`Stop ${integration.alias}`}
          >
            {props.busy ? 'Stopping…' : 'Stop ■'}
          </button>
        ) : (
          <button
            type="button"
            className="primary"
            onClick={props.onStart}
            disabled={props.busy}
            aria-label={`Start ${integration.alias}`}
          >
            {props.busy ? 'Starting…' : 'Start ▶'}
          </button>
        )}
      </div>
    </li>
  );
}
