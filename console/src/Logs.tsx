import { useState } from 'react';
import { describeError, type Api, type Delivery } from './api';
import { navigate } from './routes';
import {
  ErrorState,
  formatDate,
  Loading,
  LoadMore,
  TableHead,
  useAsync,
  usePagedList,
  type SnackbarMessage,
} from './ui';

/** The integration picker both logs share; the choice lives in the URL. */
function IntegrationPicker({ api, id, page }: { api: Api; id?: string; page: 'deliveries' | 'chats' }) {
  const [list] = useAsync(() => api.listIntegrations(), [api]);
  if (list.state !== 'ready') return null;
  return (
    <div className="stack">
      <label htmlFor="log-integration">Integration</label>
      <select
        id="log-integration"
        value={id ?? ''}
        onChange={(event) => navigate({ page, id: event.target.value || undefined })}
      >
        <option value="">Select an integration</option>
        {list.data.items.map((integration) => (
          <option key={integration.id} value={integration.id}>
            {integration.alias} ({integration.id})
          </option>
        ))}
      </select>
    </div>
  );
}

const attemptText = (attempt: Delivery['attempts'][number]) =>
  `${attempt.statusCode ?? 'no answer'}${attempt.error ? ` — ${attempt.error}` : ''} · ${Math.round(attempt.durationMs)} ms · ${formatDate(attempt.at)}`;

/** A log page's title with its Refresh button. */
function LogHeader(props: { titleId: string; title: string; refresh: () => void; disabled: boolean }) {
  return (
    <div className="page-header">
      <h1 id={props.titleId}>{props.title}</h1>
      <button type="button" onClick={props.refresh} disabled={props.disabled}>
        Refresh
      </button>
    </div>
  );
}

const PAGE_SIZES = [10, 50, 200] as const;

/** How many rows a page of the log asks the server for; "Load more" fetches the next ones. */
function PageSizeSelect(props: { id: string; value: number; onChange: (value: number) => void }) {
  return (
    <div className="stack page-size">
      <label htmlFor={props.id}>Rows per page</label>
      <select id={props.id} value={props.value} onChange={(change) => props.onChange(Number(change.target.value))}>
        {PAGE_SIZES.map((size) => (
          <option key={size} value={size}>
            {size}
          </option>
        ))}
      </select>
    </div>
  );
}

/** One filter of a log page: "All" (empty value) or one of the API's values. */
function FilterSelect(props: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  options: readonly string[];
}) {
  return (
    <div className="stack">
      <label htmlFor={props.id}>{props.label}</label>
      <select id={props.id} value={props.value} onChange={(change) => props.onChange(change.target.value)}>
        <option value="">All</option>
        {props.options.map((option) => (
          <option key={option} value={option}>
            {option.charAt(0) + option.slice(1).toLowerCase()}
          </option>
        ))}
      </select>
    </div>
  );
}

export function DeliveriesView({
  api,
  id,
  notify,
}: {
  api: Api;
  id?: string;
  notify: (message: SnackbarMessage | null) => void;
}) {
  const [status, setStatus] = useState('');
  const [event, setEvent] = useState('');
  const [chatId, setChatId] = useState('');
  const [pageSize, setPageSize] = useState<number>(200);
  const [deliveries, { reload, loadMore }] = usePagedList(
    (cursor, limit) =>
      id
        ? api.deliveries(id, { status, event, chatId: chatId.trim(), limit: String(limit), cursor })
        : Promise.resolve({ items: [], nextCursor: null }),
    pageSize,
    [api, id, status, event, chatId],
  );
  const replay = async (delivery: Delivery) => {
    if (!id) return;
    try {
      await api.replay(id, delivery.id);
      notify({ tone: 'info', text: `Delivery ${delivery.id} is being sent again` });
    } catch (error) {
      notify({ tone: 'error', text: `Replay failed: ${describeError(error)}` });
    }
    reload();
  };
  return (
    <section aria-labelledby="deliveries-title">
      <LogHeader titleId="deliveries-title" title="Deliveries" refresh={reload} disabled={!id} />
      <div className="filters">
        <IntegrationPicker api={api} id={id} page="deliveries" />
        <FilterSelect
          id="filter-status"
          label="Status"
          value={status}
          onChange={setStatus}
          options={['PENDING', 'SUCCEEDED', 'FAILED']}
        />
        <FilterSelect id="filter-event" label="Event" value={event} onChange={setEvent} options={['MESSAGE', 'END']} />
        <div className="stack">
          <label htmlFor="filter-chat">Chat Id</label>
          <input id="filter-chat" value={chatId} onChange={(change) => setChatId(change.target.value)} />
        </div>
        <PageSizeSelect id="deliveries-page-size" value={pageSize} onChange={setPageSize} />
      </div>
      {!id ? <p className="state empty">Choose an integration to see what chathook sent to its endpoint.</p> : null}
      {id && deliveries.state === 'loading' ? <Loading what="deliveries" /> : null}
      {deliveries.state === 'error' ? <ErrorState error={deliveries.error} retry={reload} /> : null}
      {id && deliveries.state === 'ready' && deliveries.items.length === 0 ? (
        <p className="state empty">No delivery matches: deliveries appear when contacts write in.</p>
      ) : null}
      {deliveries.state === 'ready' && deliveries.items.length > 0 ? (
        <div className="table-wrap">
          <table className="log">
            <TableHead
              columns={['Created', 'Event', 'Chat', 'Contact', 'Status', 'Attempts (status, error, latency)']}
              actions
            />
            <tbody>
              {deliveries.items.map((delivery) => (
                <tr key={delivery.id}>
                  <td>{formatDate(delivery.createdAt)}</td>
                  <td>{delivery.event}</td>
                  <td className="mono">{delivery.chatId}</td>
                  <td className="mono">{delivery.contact}</td>
                  <td>
                    <span className={`badge ${delivery.status.toLowerCase()}`}>{delivery.status}</span>
                  </td>
                  <td>
                    <ol className="attempts">
                      {delivery.attempts.map((attempt, index) => (
                        <li key={index}>{attemptText(attempt)}</li>
                      ))}
                    </ol>
                  </td>
                  <td>
                    <button
                      type="button"
                      onClick={() => void replay(delivery)}
                      aria-label={`Replay delivery ${delivery.id}`}
                    >
                      Replay
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <LoadMore list={deliveries} what="deliveries" onLoadMore={loadMore} />
    </section>
  );
}

export function ChatsView({ api, id }: { api: Api; id?: string }) {
  const [status, setStatus] = useState('');
  const [pageSize, setPageSize] = useState<number>(200);
  const [chats, { reload, loadMore }] = usePagedList(
    (cursor, limit) =>
      id ? api.chats(id, { status, limit: String(limit), cursor }) : Promise.resolve({ items: [], nextCursor: null }),
    pageSize,
    [api, id, status],
  );
  return (
    <section aria-labelledby="chats-title">
      <LogHeader titleId="chats-title" title="Chats" refresh={reload} disabled={!id} />
      <div className="filters">
        <IntegrationPicker api={api} id={id} page="chats" />
        <FilterSelect
          id="chat-status"
          label="Status"
          value={status}
          onChange={setStatus}
          options={['OPEN', 'CLOSED']}
        />
        <PageSizeSelect id="chats-page-size" value={pageSize} onChange={setPageSize} />
      </div>
      {!id ? <p className="state empty">Choose an integration to see its chats.</p> : null}
      {id && chats.state === 'loading' ? <Loading what="chats" /> : null}
      {chats.state === 'error' ? <ErrorState error={chats.error} retry={reload} /> : null}
      {id && chats.state === 'ready' && chats.items.length === 0 ? (
        <p className="state empty">No chat yet: a chat opens when a contact writes in.</p>
      ) : null}
      {chats.state === 'ready' && chats.items.length > 0 ? (
        <div className="table-wrap">
          <table className="log">
            <TableHead
              columns={[
                'Contact',
                'Status',
                'Channel',
                'Connection / sender',
                'Opened',
                'Last inbound',
                'Window expires',
                'Closed',
                'Chat Id',
              ]}
            />
            <tbody>
              {chats.items.map((chat) => (
                <tr key={chat.chatId}>
                  <td className="mono">{chat.contact}</td>
                  <td>
                    <span className={`badge ${chat.status === 'OPEN' ? 'active' : ''}`}>{chat.status}</span>
                  </td>
                  <td>{chat.channel}</td>
                  <td className="mono">
                    {chat.connection} / {chat.sender}
                  </td>
                  <td>{formatDate(chat.openedAt)}</td>
                  <td>{formatDate(chat.lastInboundAt)}</td>
                  <td>
                    {chat.windowExpiresAt
                      ? formatDate(chat.windowExpiresAt)
                      : chat.channel === 'SMS'
                        ? 'no window (SMS)'
                        : '—'}
                  </td>
                  <td>{formatDate(chat.closedAt)}</td>
                  <td className="mono">{chat.chatId}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <LoadMore list={chats} what="chats" onLoadMore={loadMore} />
    </section>
  );
}
