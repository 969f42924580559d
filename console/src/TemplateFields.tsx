/** The editor's inputs for a webhook template: labelled text fields, key/type/value tables and auth. */
import { TEMPLATE_VARIABLES, type Field } from '../../src/domain/webhook-template.js';
import { AUTH_LABELS, type AuthDraft, type AuthType } from './integration-draft';
import { TableHead, TrashIcon } from './ui';

export function TextInput(props: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string;
  placeholder?: string;
  type?: string;
}) {
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

export function FieldTable(props: {
  name: 'params' | 'headers' | 'body';
  label: string;
  rows: Field[];
  onChange: (rows: Field[]) => void;
  errors: Record<string, string>;
}) {
  const { name, rows, errors } = props;
  const set = (index: number, patch: Partial<Field>) =>
    props.onChange(rows.map((row, at) => (at === index ? { ...row, ...patch } : row)));
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
                      <input
                        aria-label={`${rowLabel} key`}
                        value={row.key}
                        onChange={(event) => set(index, { key: event.target.value })}
                        aria-invalid={keyError ? true : undefined}
                      />
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
                        <select
                          aria-label={`${rowLabel} value`}
                          value={row.value}
                          onChange={(event) => set(index, { value: event.target.value })}
                          aria-invalid={valueError ? true : undefined}
                        >
                          {TEMPLATE_VARIABLES.map((variable) => (
                            <option key={variable}>{variable}</option>
                          ))}
                        </select>
                      ) : (
                        <input
                          aria-label={`${rowLabel} value`}
                          value={row.value}
                          onChange={(event) => set(index, { value: event.target.value })}
                          aria-invalid={valueError ? true : undefined}
                        />
                      )}
                      {valueError ? <span className="field-error">{valueError}</span> : null}
                    </td>
                    <td>
                      <button
                        type="button"
                        className="icon-button"
                        aria-label={`Delete ${rowLabel}`}
                        onClick={() => props.onChange(rows.filter((_, at) => at !== index))}
                      >
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

export function AuthEditor(props: {
  auth: AuthDraft;
  onChange: (patch: Partial<AuthDraft>) => void;
  errors: Record<string, string>;
  editing: boolean;
}) {
  const { auth, errors } = props;
  // A stored secret stays with the URL's origin: a new scheme, host or port needs it typed again.
  const keep = props.editing ? 'Leave empty to keep the stored value (same URL host only)' : undefined;
  return (
    <div className="stack">
      <label htmlFor="auth-type">Type</label>
      <select
        id="auth-type"
        value={auth.type}
        onChange={(event) => props.onChange({ type: event.target.value as AuthType })}
      >
        {(Object.keys(AUTH_LABELS) as AuthType[]).map((type) => (
          <option key={type} value={type}>
            {AUTH_LABELS[type]}
          </option>
        ))}
      </select>
      {auth.type === 'API_KEY' ? (
        <>
          <TextInput
            id="auth-key"
            label="Key"
            value={auth.key}
            onChange={(key) => props.onChange({ key })}
            error={errors['auth.key']}
          />
          <TextInput
            id="auth-value"
            label="Value"
            type="password"
            placeholder={keep}
            value={auth.value}
            onChange={(value) => props.onChange({ value })}
            error={errors['auth.value']}
          />
          <label htmlFor="auth-in">Add to</label>
          <select
            id="auth-in"
            value={auth.in}
            onChange={(event) => props.onChange({ in: event.target.value as 'header' | 'query' })}
          >
            <option value="header">Header</option>
            <option value="query">Query Params</option>
          </select>
        </>
      ) : null}
      {auth.type === 'BASIC' ? (
        <>
          <TextInput
            id="auth-username"
            label="Username"
            value={auth.username}
            onChange={(username) => props.onChange({ username })}
            error={errors['auth.username']}
          />
          <TextInput
            id="auth-password"
            label="Password"
            type="password"
            placeholder={keep}
            value={auth.password}
            onChange={(password) => props.onChange({ password })}
            error={errors['auth.password']}
          />
        </>
      ) : null}
      {auth.type === 'BEARER' ? (
        <TextInput
          id="auth-token"
          label="Token"
          type="password"
          placeholder={keep}
          value={auth.token}
          onChange={(token) => props.onChange({ token })}
          error={errors['auth.token']}
        />
      ) : null}
      {auth.type === 'NONE' ? (
        <p className="muted">Requests are sent without credentials; verify them with the signing secret.</p>
      ) : null}
    </div>
  );
}
