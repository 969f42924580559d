import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { DEFAULT_BODY, HTTP_METHODS, TEMPLATE_VARIABLES, type Field, type HttpMethod } from '../../src/domain/webhook-template.js';
import { ApiError, describeError, type Api, type Connection, type Integration, type IntegrationCreated, type IntegrationInput, type Preview } from './api';
import { hrefOf, navigate } from './routes';
import { Dialog, ErrorState, Loading, TableHead, Tabs, TrashIcon, useDebounced, type SnackbarMessage } from './ui';

type AuthType = 'NONE' | 'API_KEY' | 'BASIC' | 'BEARER';
const AUTH_LABELS: Record<AuthType, string> = { NONE: 'No Authentication', API_KEY: 'API Key', BASIC: 'Basic', BEARER: 'Bearer Token' };

interface AuthDraft {
  type: AuthType;
  key: string;
  value: string;
  in: 'header' | 'query';
  username: string;
  password: string;
  token: string;
}

interface Draft {
  alias: string;
  method: HttpMethod;
  url: string;
  params: Field[];
  auth: AuthDraft;
  headers: Field[];
  body: Field[];
  connections: { code: string }[];
}

const EMPTY_AUTH: AuthDraft = { type: 'NONE', key: '', value: '', in: 'header', username: '', password: '', token: '' };
const NEW_DRAFT: Draft = { alias: '', method: 'POST', url: '', params: [], auth: EMPTY_AUTH, headers: [], body: [...DEFAULT_BODY], connections: [] };

function draftOf(integration: Integration): Draft {
  const auth = integration.auth;
  return {
    alias: integration.alias,
    method: integration.method,
    url: integration.url,
    params: integration.params,
    // Secrets come back masked: an empty secret field means "keep the stored one".
    auth: {
      ...EMPTY_AUTH,
      type: auth.type,
      key: auth.type === 'API_KEY' ? auth.key : '',
      in: auth.type === 'API_KEY' ? auth.in : 'header',
      username: auth.type === 'BASIC' ? auth.username : '',
    },
    headers: integration.headers,
    body: integration.body,
    connections: integration.connections,
  };
}

const secret = (value: string) => (value === '' ? undefined : value);

function inputOf(draft: Draft): IntegrationInput {
  const { auth } = draft;
  return {
    alias: draft.alias,
    method: draft.method,
    url: draft.url,
    params: draft.params,
    auth:
      auth.type === 'API_KEY'
        ? { type: 'API_KEY', key: auth.key, value: secret(auth.value), in: auth.in }
        : auth.type === 'BASIC'
          ? { type: 'BASIC', username: auth.username, password: secret(auth.password) }
          : auth.type === 'BEARER'
            ? { type: 'BEARER', token: secret(auth.token) }
            : { type: 'NONE' },
    headers: draft.headers,
    body: draft.method === 'GET' ? [] : draft.body,
    connections: draft.connections,
  };
}

const FIX_FIELDS = 'Some fields need attention: see the messages next to them.';

type Section = 'params' | 'auth' | 'headers' | 'body';
const SECTION_TABS = [
  { key: 'params', label: 'Params' },
  { key: 'auth', label: 'Auth' },
  { key: 'headers', label: 'Headers' },
  { key: 'body', label: 'Body' },
] as const;

interface Props {
  api: Api;
  id?: string;
  notify: (message: SnackbarMessage | null) => void;
}

export function Editor({ api, id, notify }: Props) {
  const [loaded, setLoaded] = useState<{ integration: Integration | null; connections: Connection[] } | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  useEffect(() => {
    let current = true;
    Promise.all([id ? api.getIntegration(id) : Promise.resolve(null), api.listConnections()]).then(
      ([integration, connections]) => current && setLoaded({ integration, connections: connections.items }),
      (error: unknown) => current && setLoadError(error),
    );
    return () => {
      current = false;
    };
  }, [api, id]);
  if (loadError) return <ErrorState error={loadError} />;
  if (!loaded) return <Loading what="the integration" />;
  return <EditorForm api={api} integration={loaded.integration} available={loaded.connections} notify={notify} />;
}

function EditorForm({ api, integration, available, notify }: { api: Api; integration: Integration | null; available: Connection[]; notify: Props['notify'] }) {
  const [draft, setDraft] = useState<Draft>(() => (integration ? draftOf(integration) : NEW_DRAFT));
  const [section, setSection] = useState<Section>('params');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [created, setCreated] = useState<IntegrationCreated | null>(null);
  const [pick, setPick] = useState('');
  const formRef = useRef<HTMLFormElement>(null);
  const locked = integration?.status === 'ACTIVE';

  // A server message is about the value it saw: editing that part of the form retires it.
  const clearErrors = (prefix: string) =>
    setErrors((current) => Object.fromEntries(Object.entries(current).filter(([path]) => path !== prefix && !path.startsWith(`${prefix}.`))));
  const update = (patch: Partial<Draft>) => {
    setDraft((current) => ({ ...current, ...patch }));
    Object.keys(patch).forEach(clearErrors);
  };
  const updateAuth = (patch: Partial<AuthDraft>) => {
    setDraft((current) => ({ ...current, auth: { ...current.auth, ...patch } }));
    clearErrors('auth');
  };
  const errorOf = (path: string) => errors[path];

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setSaving(true);
    setFormError(null);
    try {
      if (integration) {
        await api.updateIntegration(integration.id, inputOf(draft));
        notify({ tone: 'info', text: `${draft.alias} was saved` });
        navigate({ page: 'integrations' });
      } else {
        setCreated(await api.createIntegration(inputOf(draft)));
      }
    } catch (error) {
      if (error instanceof ApiError && error.code === 'VALIDATION_ERROR') {
        const fields = error.fieldErrors();
        setErrors(fields);
        setFormError(FIX_FIELDS);
        // Open the tab that holds the first bad row, so its message is visible.
        const first = Object.keys(fields)[0] ?? '';
        const tab = SECTION_TABS.find(({ key }) => first.startsWith(key));
        if (tab) setSection(tab.key);
        requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
      } else {
        setErrors({});
        setFormError(describeError(error));
      }
    } finally {
      setSaving(false);
    }
  };

  const addConnection = () => {
    if (!pick || draft.connections.some(({ code }) => code === pick)) return;
    update({ connections: [...draft.connections, { code: pick }] });
    setPick('');
  };
  const connectionByCode = useMemo(() => new Map(available.map((connection) => [connection.code, connection])), [available]);
  const unusedConnections = available.filter((connection) => !draft.connections.some(({ code }) => code === connection.code));
  const otherErrors = Object.entries(errors).filter(([path]) => !/^(alias|method|url|params|auth|headers|body|connections)\b/.test(path));

  return (
    <section aria-labelledby="editor-title" className="editor">
      <div className="page-header">
        <h1 id="editor-title">{integration ? `Edit ${integration.alias}` : 'New Custom Webhook'}</h1>
        <a href={hrefOf({ page: 'integrations' })}>Back to Integrations</a>
      </div>
      <div className="editor-grid">
        <form ref={formRef} className="card stack" onSubmit={(event) => void save(event)} noValidate aria-label="Custom Webhook Information">
          <h2>Custom Webhook Information</h2>
          <TextInput id="alias" label="Alias" value={draft.alias} onChange={(alias) => update({ alias })} error={errorOf('alias')} />
          <div className="method-url">
            <div className="stack">
              <label htmlFor="method">Method</label>
              <select id="method" value={draft.method} onChange={(event) => update({ method: event.target.value as HttpMethod })}>
                {HTTP_METHODS.map((method) => (
                  <option key={method}>{method}</option>
                ))}
              </select>
            </div>
            <TextInput id="url" label="URL" placeholder="https://your.domain/your/path" value={draft.url} onChange={(url) => update({ url })} error={errorOf('url')} />
          </div>
          <Tabs label="Request" tabs={SECTION_TABS} active={section} onChange={setSection}>
            {section === 'params' ? <FieldTable name="params" label="Params" rows={draft.params} onChange={(params) => update({ params })} errors={errors} /> : null}
            {section === 'headers' ? <FieldTable name="headers" label="Headers" rows={draft.headers} onChange={(headers) => update({ headers })} errors={errors} /> : null}
            {section === 'body' ? (
              draft.method === 'GET' ? (
                <p className="note">GET requests carry no body: the chat event travels in params and headers.</p>
              ) : (
                <>
                  <p className="note">
                    For nested fields use dot notation (<code>key.child</code>). For array fields use square bracket notation (<code>key[]</code>, or{' '}
                    <code>key[0].child</code> for one element).
                  </p>
                  <FieldTable name="body" label="Body" rows={draft.body} onChange={(body) => update({ body })} errors={errors} />
                </>
              )
            ) : null}
            {section === 'auth' ? <AuthEditor auth={draft.auth} onChange={updateAuth} errors={errors} editing={Boolean(integration)} /> : null}
          </Tabs>

          <h2>Connections</h2>
          <p className="warning" role="note">
            If you want to engage (integrate) Custom Webhook with a Chatbot Service campaign, do not add any connections to the Custom Webhook.
          </p>
          {locked ? <p className="note">Stop the integration to change its connections.</p> : null}
          <div className="add-connection">
            <div className="stack grow">
              <label htmlFor="available-connections">Available Connections</label>
              <select id="available-connections" value={pick} onChange={(event) => setPick(event.target.value)} disabled={locked}>
                <option value="">{unusedConnections.length === 0 ? 'No other connection available' : 'Select a connection'}</option>
                {unusedConnections.map((connection) => (
                  <option key={connection.code} value={connection.code}>
                    {connection.label}
                  </option>
                ))}
              </select>
            </div>
            <button type="button" onClick={addConnection} disabled={locked || !pick}>
              Add +
            </button>
          </div>
          {draft.connections.length > 0 ? (
            <div className="table-wrap">
              <table>
                <caption className="visually-hidden">Chosen connections</caption>
                <TableHead columns={['Channel', 'Connection', 'Senders']} actions />
                <tbody>
                  {draft.connections.map(({ code }, index) => (
                    <tr key={code}>
                      <td>{connectionByCode.get(code)?.channel ?? '—'}</td>
                      <td className="mono">
                        {code}
                        {errorOf(`connections.${index}.code`) ? <span className="field-error"> {errorOf(`connections.${index}.code`)}</span> : null}
                      </td>
                      <td className="mono">{connectionByCode.get(code)?.senders.join(', ') ?? ''}</td>
                      <td>
                        <button type="button" className="icon-button" aria-label={`Remove connection ${code}`} disabled={locked} onClick={() => update({ connections: draft.connections.filter((item) => item.code !== code) })}>
                          <TrashIcon />
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <p className="muted">No connections: the integration can serve Chatbot Service campaigns.</p>
          )}
          {formError && (formError !== FIX_FIELDS || Object.keys(errors).length > 0) ? (
            <div className="form-error" role="alert">
              <p>{formError}</p>
              {otherErrors.length > 0 ? (
                <ul>
                  {otherErrors.map(([path, message]) => (
                    <li key={path}>
                      {path ? `${path}: ` : ''}
                      {message}
                    </li>
                  ))}
                </ul>
              ) : null}
            </div>
          ) : null}
          <div className="form-actions">
            <a className="button" href={hrefOf({ page: 'integrations' })}>
              Cancel
            </a>
            <button type="submit" className="primary" disabled={saving}>
              {saving ? 'Saving…' : 'Save'}
            </button>
          </div>
        </form>
        <RequestPreview api={api} draft={draft} />
      </div>
      {created ? (
        <Dialog
          title="Integration created"
          onClose={() => {
            setCreated(null);
            navigate({ page: 'integrations' });
          }}
        >
          <p>
            Verify every request chathook sends with this signing secret (Standard Webhooks <code>webhook-signature</code> header). It is shown only now: store it.
          </p>
          <p className="mono break secret" aria-label="Signing secret">
            {created.signingSecret}
          </p>
          <p className="muted">Start the integration from its card when you are ready.</p>
        </Dialog>
      ) : null}
    </section>
  );
}

function TextInput(props: { id: string; label: string; value: string; onChange: (value: string) => void; error?: string; placeholder?: string; type?: string }) {
  return (
    <div className="stack grow">
      <label htmlFor={props.id}>{props.label}</label>
      <input
        id={props.id}
        type={props.type ?? 'text'}
        value={props.value}
        placeholder={props.placeholder}
        onChange={(event) => props.onChange(event.target.value)}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={props.error ? `${props.id}-error` : undefined}
        autoComplete="off"
      />
      {props.error ? (
        <span id={`${props.id}-error`} className="field-error">
          {props.error}
        </span>
      ) : null}
    </div>
  );
}

function FieldTable(props: { name: 'params' | 'headers' | 'body'; label: string; rows: Field[]; onChange: (rows: Field[]) => void; errors: Record<string, string> }) {
  const { name, rows, errors } = props;
  const set = (index: number, patch: Partial<Field>) => props.onChange(rows.map((row, at) => (at === index ? { ...row, ...patch } : row)));
  const tableError = errors[name];
  return (
    <div className="stack">
      {tableError ? <p className="field-error">{tableError}</p> : null}
      {rows.length === 0 ? <p className="muted">No {props.label.toLowerCase()} yet.</p> : null}
      {rows.length > 0 ? (
        <div className="table-wrap">
          <table className="field-table">
            <caption className="visually-hidden">{props.label}</caption>
            <TableHead columns={['Key', 'Type', 'Value']} actions />
            <tbody>
              {rows.map((row, index) => {
                const keyError = errors[`${name}.${index}.key`];
                const valueError = errors[`${name}.${index}.value`] ?? errors[`${name}.${index}`];
                const rowLabel = `${props.label} row ${index + 1}`;
                return (
                  <tr key={index}>
                    <td>
                      <input aria-label={`${rowLabel} key`} value={row.key} onChange={(event) => set(index, { key: event.target.value })} aria-invalid={keyError ? true : undefined} />
                      {keyError ? <span className="field-error">{keyError}</span> : null}
                    </td>
                    <td>
                      <select
                        aria-label={`${rowLabel} type`}
                        value={row.type}
                        onChange={(event) => {
                          const type = event.target.value as Field['type'];
                          set(index, { type, value: type === 'VARIABLE' ? TEMPLATE_VARIABLES[0] : '' });
                        }}
                      >
                        <option value="TEXT">Text</option>
                        <option value="VARIABLE">Variable</option>
                      </select>
                    </td>
                    <td>
                      {row.type === 'VARIABLE' ? (
                        <select aria-label={`${rowLabel} value`} value={row.value} onChange={(event) => set(index, { value: event.target.value })} aria-invalid={valueError ? true : undefined}>
                          {TEMPLATE_VARIABLES.map((variable) => (
                            <option key={variable}>{variable}</option>
                          ))}
                        </select>
                      ) : (
                        <input aria-label={`${rowLabel} value`} value={row.value} onChange={(event) => set(index, { value: event.target.value })} aria-invalid={valueError ? true : undefined} />
                      )}
                      {valueError ? <span className="field-error">{valueError}</span> : null}
                    </td>
                    <td>
                      <button type="button" className="icon-button" aria-label={`Delete ${rowLabel}`} onClick={() => props.onChange(rows.filter((_, at) => at !== index))}>
                        <TrashIcon />
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      <div>
        <button type="button" onClick={() => props.onChange([...rows, { key: '', type: 'TEXT', value: '' }])}>
          Add Field
        </button>
      </div>
    </div>
  );
}

function AuthEditor(props: { auth: AuthDraft; onChange: (patch: Partial<AuthDraft>) => void; errors: Record<string, string>; editing: boolean }) {
  const { auth, errors } = props;
  const keep = props.editing ? 'Leave empty to keep the stored value' : undefined;
  return (
    <div className="stack">
      <label htmlFor="auth-type">Type</label>
      <select id="auth-type" value={auth.type} onChange={(event) => props.onChange({ type: event.target.value as AuthType })}>
        {(Object.keys(AUTH_LABELS) as AuthType[]).map((type) => (
          <option key={type} value={type}>
            {AUTH_LABELS[type]}
          </option>
        ))}
      </select>
      {auth.type === 'API_KEY' ? (
        <>
          <TextInput id="auth-key" label="Key" value={auth.key} onChange={(key) => props.onChange({ key })} error={errors['auth.key']} />
          <TextInput id="auth-value" label="Value" type="password" placeholder={keep} value={auth.value} onChange={(value) => props.onChange({ value })} error={errors['auth.value']} />
          <label htmlFor="auth-in">Add to</label>
          <select id="auth-in" value={auth.in} onChange={(event) => props.onChange({ in: event.target.value as 'header' | 'query' })}>
            <option value="header">Header</option>
            <option value="query">Query Params</option>
          </select>
        </>
      ) : null}
      {auth.type === 'BASIC' ? (
        <>
          <TextInput id="auth-username" label="Username" value={auth.username} onChange={(username) => props.onChange({ username })} error={errors['auth.username']} />
          <TextInput id="auth-password" label="Password" type="password" placeholder={keep} value={auth.password} onChange={(password) => props.onChange({ password })} error={errors['auth.password']} />
        </>
      ) : null}
      {auth.type === 'BEARER' ? <TextInput id="auth-token" label="Token" type="password" placeholder={keep} value={auth.token} onChange={(token) => props.onChange({ token })} error={errors['auth.token']} /> : null}
      {auth.type === 'NONE' ? <p className="muted">Requests are sent without credentials; verify them with the signing secret.</p> : null}
    </div>
  );
}

function RequestPreview({ api, draft }: { api: Api; draft: Draft }) {
  const settled = useDebounced(draft, 300);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [text, setText] = useState('Hello, I need help with my order');
  const sampleText = useDebounced(text, 300);
  useEffect(() => {
    let current = true;
    if (!settled.url) {
      setPreview(null);
      setProblem('Type a URL to see the request your endpoint will receive.');
      return;
    }
    // The alias does not shape the request; a placeholder keeps an empty one from failing the preview.
    api.preview({ ...inputOf(settled), alias: settled.alias || 'preview', connections: [], sample: { text: sampleText } }).then(
      (result) => {
        if (!current) return;
        setPreview(result);
        setProblem(null);
      },
      (error: unknown) => {
        if (!current) return;
        setPreview(null);
        const fields = error instanceof ApiError ? error.body.error?.fields : undefined;
        setProblem(fields && fields.length > 0 ? fields.map(({ path, message }) => `${path}: ${message}`).join('\n') : describeError(error));
      },
    );
    return () => {
      current = false;
    };
  }, [api, settled, sampleText]);
  return (
    <aside className="card stack preview" aria-labelledby="preview-title">
      <h2 id="preview-title">Preview</h2>
      <p className="muted">The request your endpoint receives when a contact writes this message (rendered by chathook&apos;s own renderer).</p>
      <label htmlFor="sample-text">Sample message</label>
      <input id="sample-text" value={text} onChange={(event) => setText(event.target.value)} />
      {problem ? <pre className="code muted">{problem}</pre> : null}
      {preview ? (
        <pre className="code" data-testid="preview">
          {`${preview.request.method} ${preview.request.url}\n`}
          {Object.entries(preview.request.headers)
            .map(([name, value]) => `${name}: ${value}`)
            .join('\n')}
          {`\n${preview.signingHeaders.map((name) => `${name}: …`).join('\n')}`}
          {preview.request.body ? `\n\n${JSON.stringify(JSON.parse(preview.request.body), null, 2)}` : ''}
        </pre>
      ) : null}
    </aside>
  );
}
