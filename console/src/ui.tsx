import { useCallback, useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { describeError } from './api';

/** A modal on the native <dialog>: focus trapping, Escape and the backdrop come from the browser. */
export function Dialog(props: { title: ReactNode; onClose: () => void; children: ReactNode; wide?: boolean; actions?: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);
  return (
    <dialog ref={ref} className={props.wide ? 'dialog wide' : 'dialog'} aria-labelledby={titleId} onClose={props.onClose}>
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
export function Tabs<K extends string>(props: { label: string; tabs: readonly TabDef<K>[]; active: K; onChange: (key: K) => void; children: ReactNode }) {
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
    <div className="snackbar-region" role="status" aria-live="polite">
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
  <svg aria-hidden="true" width="16" height="16" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
    <path d="M3 6h18M8 6V4h8v2M19 6l-1 14H6L5 6M10 11v6M14 11v6" />
  </svg>
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
