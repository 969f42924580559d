import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { ErrorCode } from '../../src/domain/error-catalogue.js';
import { HTTP_METHODS, type HttpMethod } from '../../src/domain/webhook-template.js';
import { ApiError, describeError, type Api, type Connection, type Integration, type IntegrationCreated } from './api';
import { draftOf, inputOf, NEW_DRAFT, type AuthDraft, type Draft } from './integration-draft';
import { RequestPreview } from './RequestPreview';
import { hrefOf, navigate } from './routes';
import { AuthEditor, FieldTable, TextInput } from './TemplateFields';
import { Dialog, ErrorState, Loading, TableHead, Tabs, TrashIcon, type SnackbarMessage } from './ui';

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

function EditorForm({
  api,
  integration,
  available,
  notify,
}: {
  api: Api;
  integration: Integration | null;
  available: Connection[];
  notify: Props['notify'];
}) {
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
    setErrors((current) =>
      Object.fromEntries(Object.entries(current).filter(([path]) => path !== prefix && !path.startsWith(`${prefix}.`))),
    );
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
      // SECRET_REQUIRED names its field like a validation error: the secret to give again.
      if (
        error instanceof ApiError &&
        (error.code === ErrorCode.VALIDATION_ERROR || error.code === ErrorCode.SECRET_REQUIRED)
      ) {
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
  const connectionByCode = useMemo(
    () => new Map(available.map((connection) => [connection.code, connection])),
    [available],
  );
  const unusedConnections = available.filter(
    (connection) => !draft.connections.some(({ code }) => code === connection.code),
  );
  const otherErrors = Object.entries(errors).filter(
    ([path]) => !/^(alias|method|url|params|auth|headers|body|connections)\b/.test(path),
  );

  return (
    <section aria-labelledby="editor-title" className="editor">
      <div className="page-header">
        <h1 id="editor-title">{integration ? `Edit ${integration.alias}` : 'New Custom Webhook'}</h1>
        <a href={hrefOf({ page: 'integrations' })}>Back to Integrations</a>
      </div>
      <div className="editor-grid">
        <form
          ref={formRef}
          className="card stack"
          onSubmit={(event) => void save(event)}
          noValidate
          aria-label="Custom Webhook Information"
        >
          <h2>Custom Webhook Information</h2>
          <TextInput
            id="alias"
            label="Alias"
            value={draft.alias}
            onChange={(alias) => update({ alias })}
            error={errorOf('alias')}
          />
          <div className="method-url">
            <div className="stack">
              <label htmlFor="method">Method</label>
              <select
                id="method"
                value={draft.method}
                onChange={(event) => update({ method: event.target.value as HttpMethod })}
              >
                {HTTP_METHODS.map((method) => (
                  <option key={method}>{method}</option>
                ))}
              </select>
            </div>
            <TextInput
              id="url"
              label="URL"
              placeholder="https://your.domain/your/path"
              value={draft.url}
              onChange={(url) => update({ url })}
              error={errorOf('url')}
            />
          </div>
          <Tabs label="Request" tabs={SECTION_TABS} active={section} onChange={setSection}>
            {section === 'params' ? (
              <FieldTable
                name="params"
                label="Params"
                rows={draft.params}
                onChange={(params) => update({ params })}
                errors={errors}
              />
            ) : null}
            {section === 'headers' ? (
              <FieldTable
                name="headers"
                label="Headers"
                rows={draft.headers}
                onChange={(headers) => update({ headers })}
                errors={errors}
              />
            ) : null}
            {section === 'body' ? (
              draft.method === 'GET' ? (
                <p className="note">GET requests carry no body: the chat event travels in params and headers.</p>
              ) : (
                <>
                  <p className="note">
                    For nested fields use dot notation (<code>key.child</code>). For array fields use square bracket
                    notation (<code>key[]</code>, or <code>key[0].child</code> for one element).
                  </p>
                  <FieldTable
                    name="body"
                    label="Body"
                    rows={draft.body}
                    onChange={(body) => update({ body })}
                    errors={errors}
                  />
                </>
              )
            ) : null}
            {section === 'auth' ? (
              <AuthEditor auth={draft.auth} onChange={updateAuth} errors={errors} editing={Boolean(integration)} />
            ) : null}
          </Tabs>

          <h2>Connections</h2>
          <p className="warning" role="note">
            If you want to engage (integrate) Custom Webhook with a Chatbot Service campaign, do not add any connections
            to the Custom Webhook.
          </p>
          {locked ? <p className="note">Stop the integration to change its connections.</p> : null}
          <div className="add-connection">
            <div className="stack grow">
              <label htmlFor="available-connections">Available Connections</label>
              <select
                id="available-connections"
                value={pick}
                onChange={(event) => setPick(event.target.value)}
                disabled={locked}
              >
                <option value="">
                  {unusedConnections.length === 0 ? 'No other connection available' : 'Select a connection'}
                </option>
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
                        {errorOf(`connections.${index}.code`) ? (
                          <span className="field-error"> {errorOf(`connections.${index}.code`)}</span>
                        ) : null}
                      </td>
                      <td className="mono">{connectionByCode.get(code)?.senders.join(', ') ?? ''}</td>
                      <td>
                        <button
                          type="button"
                          className="icon-button"
                          aria-label={`Remove connection ${code}`}
                          disabled={locked}
                          onClick={() =>
                            update({ connections: draft.connections.filter((item) => item.code !== code) })
                          }
                        >
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
            Verify every request chathook sends with this signing secret (Standard Webhooks{' '}
            <code>webhook-signature</code> header). It is shown only now: store it.
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
