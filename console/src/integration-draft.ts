/**
 * The integration form's state (a draft) and its conversions from a stored integration and to
 * the API's input. Stored secrets come back masked, so an empty secret in a draft means "keep".
 */
import { DEFAULT_BODY, type Field, type HttpMethod } from '../../src/domain/webhook-template.js';
import type { Integration, IntegrationInput } from './api';

export type AuthType = 'NONE' | 'API_KEY' | 'BASIC' | 'BEARER';
export const AUTH_LABELS: Record<AuthType, string> = {
  NONE: 'No Authentication',
  API_KEY: 'API Key',
  BASIC: 'Basic',
  BEARER: 'Bearer Token',
};

export interface AuthDraft {
  type: AuthType;
  key: string;
  value: string;
  in: 'header' | 'query';
  username: string;
  password: string;
  token: string;
}

export interface Draft {
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
export const NEW_DRAFT: Draft = {
  alias: '',
  method: 'POST',
  url: '',
  params: [],
  auth: EMPTY_AUTH,
  headers: [],
  body: [...DEFAULT_BODY],
  connections: [],
};

export function draftOf(integration: Integration): Draft {
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

export function inputOf(draft: Draft): IntegrationInput {
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
