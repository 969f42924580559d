import type { WebhookAuth, WebhookTemplate, Field, HttpMethod } from '../domain/webhook-template.js';
import type { IntegrationDoc, StoredAuth } from './integrations.js';
import type { SecretBox } from '../platform/secrets.js';

/** The stored auth with its secret opened: for rendering requests, never for responses. */
export function openAuth(auth: StoredAuth, secretBox: SecretBox): WebhookAuth {
  const secret = () => (auth.secretSealed ? secretBox.open(auth.secretSealed) : '');
  switch (auth.type) {
    case 'API_KEY':
      return { type: 'API_KEY', key: auth.key ?? '', value: secret(), in: auth.in === 'query' ? 'query' : 'header' };
    case 'BASIC':
      return { type: 'BASIC', username: auth.username ?? '', password: secret() };
    case 'BEARER':
      return { type: 'BEARER', token: secret() };
    default:
      return { type: 'NONE' };
  }
}

const fields = (rows: ReadonlyArray<{ key?: string | null; type?: string | null; value?: string | null }>): Field[] =>
  rows.map((row) => ({
    key: row.key ?? '',
    type: row.type === 'VARIABLE' ? 'VARIABLE' : 'TEXT',
    value: row.value ?? '',
  }));

export function webhookTemplateOf(doc: IntegrationDoc, secretBox: SecretBox): WebhookTemplate {
  return {
    method: doc.method as HttpMethod,
    url: doc.url,
    params: fields(doc.params),
    auth: openAuth(doc.auth, secretBox),
    headers: fields(doc.headers),
    body: fields(doc.body),
  };
}

/**
 * The secrets a request sent at `at` is signed with: the current one first, then the one a
 * rotation replaced while its overlap lasts, so receivers that still hold it keep verifying.
 */
export function signingSecretsOf(
  doc: Pick<IntegrationDoc, 'signingSecretSealed' | 'previousSigningSecret'>,
  secretBox: SecretBox,
  at: Date,
): string[] {
  const secrets = [secretBox.open(doc.signingSecretSealed)];
  const previous = doc.previousSigningSecret;
  if (previous && previous.expiresAt.getTime() > at.getTime()) secrets.push(secretBox.open(previous.secretSealed));
  return secrets;
}
