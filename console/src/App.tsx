import { useCallback, useMemo, useRef, useState, type FormEvent } from 'react';
import { ApiError, createApi, describeError, storedKey, storeKey, type Api } from './api';
import { ConnectionsView, type CarrierSecrets } from './Connections';
import { ChatsView, DeliveriesView } from './Logs';
import { Editor } from './Editor';
import { IntegrationsView } from './Integrations';
import { hrefOf, useRoute } from './routes';
import { Snackbar, type SnackbarMessage } from './ui';

function SignIn(props: { onSignedIn: (key: string) => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      // Any tenant call proves the key; the smallest list is the cheapest one.
      await createApi(key.trim()).listIntegrations();
      props.onSignedIn(key.trim());
    } catch (caught) {
      setError(
        caught instanceof ApiError && caught.status === 401
          ? 'This API key is not valid. Check it and try again.'
          : describeError(caught),
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="signin">
      <form className="card signin-card" onSubmit={(event) => void submit(event)} aria-describedby="signin-help">
        <h1>chathook console</h1>
        <p id="signin-help">Sign in with your tenant API key. It stays in this browser tab only (session storage).</p>
        <label htmlFor="api-key">API key</label>
        <input
          id="api-key"
          type="password"
          autoComplete="off"
          required
          value={key}
          onChange={(event) => setKey(event.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'signin-error' : undefined}
        />
        {error ? (
          <p id="signin-error" className="field-error" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit" className="primary" disabled={busy || key.trim() === ''}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}

export function App() {
  const [key, setKey] = useState<string | null>(() => storedKey());
  const [snack, setSnack] = useState<SnackbarMessage | null>(null);
  const route = useRoute();
  const api: Api | null = useMemo(() => (key ? createApi(key) : null), [key]);
  const dismiss = useCallback(() => setSnack(null), []);
  // Carrier secrets the console saw (shown once by the API) stay in memory only, never in storage.
  const carrierSecrets = useRef<CarrierSecrets>(new Map());
  const signOut = useCallback(() => {
    carrierSecrets.current.clear();
    storeKey(null);
    setKey(null);
  }, []);

  if (!api) {
    return (
      <SignIn
        onSignedIn={(value) => {
          storeKey(value);
          setKey(value);
        }}
      />
    );
  }
  const section =
    route.page === 'connections' || route.page === 'deliveries' || route.page === 'chats' ? route.page : 'integrations';
  return (
    <div className="app">
      <header className="topbar">
        <span className="brand">chathook</span>
        <nav aria-label="Sections">
          <a href={hrefOf({ page: 'integrations' })} aria-current={section === 'integrations' ? 'page' : undefined}>
            Integrations
          </a>
          <a href={hrefOf({ page: 'connections' })} aria-current={section === 'connections' ? 'page' : undefined}>
            Connections
          </a>
          <a
            href={hrefOf({ page: 'deliveries', id: 'id' in route ? route.id : undefined })}
            aria-current={section === 'deliveries' ? 'page' : undefined}
          >
            Deliveries
          </a>
          <a
            href={hrefOf({ page: 'chats', id: 'id' in route ? route.id : undefined })}
            aria-current={section === 'chats' ? 'page' : undefined}
          >
            Chats
          </a>
        </nav>
        <span className="topbar-links">
          <a href="/docs">API reference</a>
          <button type="button" className="link-button" onClick={signOut}>
            Sign out
          </button>
        </span>
      </header>
      {/* In the flow under the top bar, not over the page: a message never hides rows or buttons. */}
      <Snackbar message={snack} onDismiss={dismiss} />
      <main className="content">
        {route.page === 'integrations' ? (
          <IntegrationsView api={api} notify={setSnack} onUnauthorized={signOut} />
        ) : null}
        {route.page === 'connections' ? (
          <ConnectionsView api={api} notify={setSnack} carrierSecrets={carrierSecrets.current} />
        ) : null}
        {route.page === 'new' ? <Editor api={api} notify={setSnack} /> : null}
        {route.page === 'edit' ? <Editor key={route.id} api={api} id={route.id} notify={setSnack} /> : null}
        {route.page === 'deliveries' ? (
          <DeliveriesView key={route.id ?? ''} api={api} id={route.id} notify={setSnack} />
        ) : null}
        {route.page === 'chats' ? <ChatsView key={route.id ?? ''} api={api} id={route.id} /> : null}
      </main>
    </div>
  );
}
