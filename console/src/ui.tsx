import { Fragment, useCallback, useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { describeError, type Page } from './api';

/** A modal on the native <dialog>: focus trapping, Escape and the backdrop come from the browser. */
export function Dialog(props: {
  title: ReactNode;
  onClose: () => void;
  children: ReactNode;
  wide?: boolean;
  actions?: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);
  return (
    <dialog
      ref={ref}
      className={props.wide ? 'dialog wide' : 'dialog'}
      aria-labelledby={titleId}
      onClose={props.onClose}
    >
      <header className="dialog-header">
        <h2 id={titleId}>{props.title}</h2>
        <button type="button" className="icon-button" aria-label="Close" onClick={() => ref.current?.close()}>
          ✕
        </button>
      </header>
      <div className="dialog-body">{props.children}</div>
      {props.actions ? <footer className="dialog-actions">{props.actions}</footer> : null}
    </dialog>
  );
}

export interface TabDef<K extends string> {
  key: K;
  label: string;
}

/** WAI-ARIA tabs: Left/Right move between tabs, the panel follows. */
export function Tabs<K extends string>(props: {
  label: string;
  tabs: readonly TabDef<K>[];
  active: K;
  onChange: (key: K) => void;
  children: ReactNode;
}) {
  const baseId = useId();
  const refs = useRef(new Map<K, HTMLButtonElement>());
  const move = (delta: number) => {
    const index = props.tabs.findIndex((tab) => tab.key === props.active);
    const next = props.tabs[(index + delta + props.tabs.length) % props.tabs.length]!;
    props.onChange(next.key);
    refs.current.get(next.key)?.focus();
  };
  return (
    <div className="tabs">
      <div role="tablist" aria-label={props.label} className="tablist">
        {props.tabs.map((tab) => (
          <button
            key={tab.key}
            ref={(element) => {
              if (element) refs.current.set(tab.key, element);
            }}
            type="button"
            role="tab"
            id={`${baseId}-${tab.key}`}
            aria-selected={tab.key === props.active}
            aria-controls={`${baseId}-panel`}
            tabIndex={tab.key === props.active ? 0 : -1}
            onClick={() => props.onChange(tab.key)}
            onKeyDown={(event) => {
              if (event.key === 'ArrowRight') move(1);
              if (event.key === 'ArrowLeft') move(-1);
            }}
          >
            {tab.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`${baseId}-panel`} aria-labelledby={`${baseId}-${props.active}`} className="tabpanel">
        {props.children}
      </div>
    </div>
  );
}

export interface SnackbarMessage {
  text: string;
  tone: 'info' | 'warning' | 'error';
  action?: { label: string; run: () => void };
}

export function Snackbar(props: { message: SnackbarMessage | null; onDismiss: () => void }) {
  const { message, onDismiss } = props;
  useEffect(() => {
    // Warnings stay until read: they carry a link to act on.
    if (!message || message.tone !== 'info') return;
    const timer = setTimeout(onDismiss, 5000);
    return () => clearTimeout(timer);
  }, [message, onDismiss]);
  return (
    <div className={message ? 'snackbar-region shown' : 'snackbar-region'} role="status" aria-live="polite">
      {message ? (
        <div className={`snackbar ${message.tone}`}>
          <span>{message.text}</span>
          {message.action ? (
            <button type="button" className="link-button" onClick={message.action.run}>
              {message.action.label}
            </button>
          ) : null}
          <button type="button" className="icon-button" aria-label="Dismiss" onClick={onDismiss}>
            ✕
          </button>
        </div>
      ) : null}
    </div>
  );
}

export const Loading = ({ what }: { what: string }) => (
  <p className="state loading" role="status">
    Loading {what}…
  </p>
);

export const ErrorState = ({ error, retry }: { error: unknown; retry?: () => void }) => (
  <div className="state error" role="alert">
    <span>{describeError(error)}</span>
    {retry ? (
      <button type="button" onClick={retry}>
        Retry
      </button>
    ) : null}
  </div>
);

export type Async<T> = { state: 'loading' } | { state: 'error'; error: unknown } | { state: 'ready'; data: T };

/** Loads on mount and whenever `deps` change; `reload` refetches without blanking the screen. */
export function useAsync<T>(load: () => Promise<T>, deps: readonly unknown[]): [Async<T>, () => void] {
  const [result, setResult] = useState<Async<T>>({ state: 'loading' });
  const [generation, setGeneration] = useState(0);
  // The caller's deps decide when `load` is a new function (it closes over them).
  const stableLoad = useCallback(load, deps);
  useEffect(() => {
    let current = true;
    stableLoad().then(
      (data) => current && setResult({ state: 'ready', data }),
      (error: unknown) => current && setResult({ state: 'error', error }),
    );
    return () => {
      current = false;
    };
  }, [stableLoad, generation]);
  return [result, useCallback(() => setGeneration((value) => value + 1), [])];
}

export type Paged<T> =
  | { state: 'loading' }
  | { state: 'error'; error: unknown }
  | { state: 'ready'; items: T[]; nextCursor: string | null; more: 'idle' | 'loading' | { error: unknown } };

/** The most a list endpoint returns in one page. */
const MAX_PAGE = 500;

/**
 * A cursor-paged list: the first `pageSize` items load on mount and whenever `deps` change;
 * `loadMore` appends the next page. `reload` refetches as many items as are shown (up to one
 * full page of the API), so a refresh does not fold the list back to its first page.
 */
export function usePagedList<T>(
  loadPage: (cursor: string | undefined, limit: number) => Promise<Page<T>>,
  pageSize: number,
  deps: readonly unknown[],
): [Paged<T>, { reload: () => void; loadMore: () => void }] {
  const [list, setList] = useState<Paged<T>>({ state: 'loading' });
  const [generation, setGeneration] = useState(0);
  // The caller's deps decide when `loadPage` is a new function (it closes over them).
  const stableLoad = useCallback(loadPage, deps);
  /** The first-page load a "more" answer belongs to: a stale one is dropped. */
  const latest = useRef<object>({});
  const shown = useRef(0);
  const reloading = useRef(false);

  useEffect(() => {
    const token = {};
    latest.current = token;
    const limit = reloading.current ? Math.min(MAX_PAGE, Math.max(pageSize, shown.current)) : pageSize;
    reloading.current = false;
    stableLoad(undefined, limit).then(
      (page) => {
        if (latest.current !== token) return;
        shown.current = page.items.length;
        setList({ state: 'ready', items: page.items, nextCursor: page.nextCursor, more: 'idle' });
      },
      (error: unknown) => latest.current === token && setList({ state: 'error', error }),
    );
  }, [stableLoad, pageSize, generation]);

  const reload = useCallback(() => {
    reloading.current = true;
    setGeneration((value) => value + 1);
  }, []);

  const loadMore = useCallback(() => {
    if (list.state !== 'ready' || !list.nextCursor || list.more === 'loading') return;
    const token = latest.current;
    setList({ ...list, more: 'loading' });
    stableLoad(list.nextCursor, pageSize).then(
      (page) => {
        if (latest.current !== token) return;
        const items = [...list.items, ...page.items];
        shown.current = items.length;
        setList({ state: 'ready', items, nextCursor: page.nextCursor, more: 'idle' });
      },
      (error: unknown) => latest.current === token && setList({ ...list, more: { error } }),
    );
  }, [list, stableLoad, pageSize]);

  return [list, { reload, loadMore }];
}

/** A list's last line: how much is shown, and "Load more" while the server has more. */
export function LoadMore(props: { list: Paged<unknown>; what: string; onLoadMore: () => void }) {
  const { list } = props;
  if (list.state !== 'ready' || list.items.length === 0) return null;
  const count = `${list.items.length} ${props.what}`;
  return (
    <div className="list-footer">
      <span className="muted" role="status">
        {list.nextCursor ? `Showing the first ${count}` : `All ${count} shown`}
      </span>
      {typeof list.more === 'object' ? (
        <span className="error-text">Could not load more: {describeError(list.more.error)}</span>
      ) : null}
      {list.nextCursor ? (
        <button type="button" onClick={props.onLoadMore} disabled={list.more === 'loading'}>
          {list.more === 'loading' ? 'Loading…' : 'Load more'}
        </button>
      ) : null}
    </div>
  );
}

/** A value that settles `delayMs` after its last change: typing does not fire a request per key. */
export function useDebounced<T>(value: T, delayMs: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return settled;
}

/** Inline, so it renders without an emoji font (headless Linux machines have none). */
export const TrashIcon = () => (
  <svg
    aria-hidden="true"
    width="16"
    height="16"
    viewBox="0 0 24 24"
    fill="none"
    stroke="currentColor"
    strokeWidth="2"
    strokeLinecap="round"
    strokeLinejoin="round"
  >
    <path d="M3 6h18M8 6V4h8v2M19 6l-1 14H6L5 6M10 11v6M14 11v6" />
  </svg>
);

/** A URL cut after each `/`, `?` and `&` past its scheme: where it reads best to wrap it. */
const urlParts = (url: string) => {
  const schemeEnd = url.includes('://') ? url.indexOf('://') + 3 : 0;
  const [first = '', ...rest] = url.slice(schemeEnd).split(/(?<=[/?&])/);
  return [url.slice(0, schemeEnd) + first, ...rest];
};

/**
 * "POST https://…" on a card or in API Details: a no-break space keeps the method with the start
 * of the URL; the URL wraps after its separators first, and anywhere only when a part is too long.
 */
export const RequestLine = ({ method, url }: { method: string; url: string }) => (
  <>
    <span className="method">{method}</span>
    {'\u00a0'}
    <span className="url">
      {urlParts(url).map((part, index) => (
        <Fragment key={index}>
          {index > 0 ? <wbr /> : null}
          {part}
        </Fragment>
      ))}
    </span>
  </>
);

export const formatDate = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : '—');

/** Column headings of a data table; `actions` adds the unlabelled-looking (but named) actions column. */
export function TableHead({ columns, actions = false }: { columns: readonly string[]; actions?: boolean }) {
  return (
    <thead>
      <tr>
        {columns.map((column) => (
          <th scope="col" key={column}>
            {column}
          </th>
        ))}
        {actions ? (
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        ) : null}
      </tr>
    </thead>
  );
}
