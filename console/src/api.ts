/**
 * Typed access to the public /v1 API: the only back end the console has. Request types come
 * from the server's zod input schemas, response types from the schemas the OpenAPI document
 * is generated from, so a change on the server breaks this build instead of the screens.
 */
import type { z } from 'zod';
import type {
  Activation,
  ActivationFailed,
  ApiDetails,
  ChatList,
  ConnectionCreated,
  ConnectionList,
  ConnectionsDetails,
  DeliveryList,
  ErrorBody,
  Integration,
  IntegrationCampaigns,
  IntegrationList,
  MoAccepted,
  Preview,
  PreviewInput,
  RotatedSigningSecret,
  TryOutResult,
} from '../../src/http/response-schemas.js';
import type {
  CarrierInboundSchema,
  ConnectionCreateSchema,
  IntegrationInputSchema,
  TryOutSchema,
} from '../../src/domain/request-schemas.js';

export type IntegrationInput = z.input<typeof IntegrationInputSchema>;
export type TryOutInput = z.input<typeof TryOutSchema>;
/** A tenant creates only sandbox connections: `http` ones are the operator's (root key). */
export type SandboxConnectionInput = Omit<z.input<typeof ConnectionCreateSchema>, 'carrier'>;
export type CarrierInbound = z.input<typeof CarrierInboundSchema>;
export type {
  Activation,
  ActivationFailed,
  ApiDetails,
  ConnectionCreated,
  ConnectionsDetails,
  Integration,
  IntegrationCampaigns,
  MoAccepted,
  Preview,
};
export type Connection = ConnectionList['items'][number];
export type Delivery = DeliveryList['items'][number];
export type Chat = ChatList['items'][number];
export type IntegrationCreated = Integration & { responseToken: string; signingSecret: string };
export interface RotatedToken {
  responseToken: string;
}
/** One page of a cursor-paged list: `nextCursor` asks for the page after it. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** An answer other than 2xx, with the server's `{error:{code,message,...}}` kept whole. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: Partial<ErrorBody> & Record<string, unknown>,
  ) {
    super(message);
  }

  /** `fields` of a VALIDATION_ERROR, keyed by path (`body.1.key`). */
  fieldErrors(): Record<string, string> {
    const fields = this.body.error?.fields ?? [];
    return Object.fromEntries(fields.map(({ path, message }) => [path, message]));
  }
}

const KEY_STORAGE = 'chathook.apiKey';
export const storedKey = () => sessionStorage.getItem(KEY_STORAGE);
export const storeKey = (key: string | null) =>
  key === null ? sessionStorage.removeItem(KEY_STORAGE) : sessionStorage.setItem(KEY_STORAGE, key);

type Query = Record<string, string | undefined>;
const withQuery = (path: string, query: Query = {}) => {
  const params = new URLSearchParams(
    Object.entries(query).filter((entry): entry is [string, string] => Boolean(entry[1])),
  );
  return params.size > 0 ? `${path}?${params}` : path;
};

/** One call with `bearer` as the credential: the tenant key, or a connection's carrier secret. */
async function send<T>(bearer: string, method: string, path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: {
        authorization: `Bearer ${bearer}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'NETWORK', 'The server could not be reached', {});
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!response.ok) {
    const errorBody = (parsed ?? {}) as Partial<ErrorBody> & Record<string, unknown>;
    throw new ApiError(
      response.status,
      errorBody.error?.code ?? `HTTP_${response.status}`,
      errorBody.error?.message ?? `The server answered ${response.status}`,
      errorBody,
    );
  }
  return parsed as T;
}

export function createApi(key: string) {
  const call = <T>(method: string, path: string, body?: unknown) => send<T>(key, method, path, body);
  const integration = (id: string) => `/v1/integrations/${encodeURIComponent(id)}`;
  return {
    listIntegrations: () => call<IntegrationList>('GET', '/v1/integrations?limit=500'),
    getIntegration: (id: string) => call<Integration>('GET', integration(id)),
    createIntegration: (input: IntegrationInput) => call<IntegrationCreated>('POST', '/v1/integrations', input),
    updateIntegration: (id: string, input: IntegrationInput) => call<Integration>('PUT', integration(id), input),
    deleteIntegration: (id: string) => call<undefined>('DELETE', integration(id)),
    start: (id: string) => call<Activation>('POST', `${integration(id)}/start`),
    stop: (id: string) => call<{ status: 'INACTIVE' }>('POST', `${integration(id)}/stop`),
    connectionsDetails: (id: string) => call<ConnectionsDetails>('GET', `${integration(id)}/connections`),
    apiDetails: (id: string) => call<ApiDetails>('GET', `${integration(id)}/api-details`),
    rotateToken: (id: string) => call<RotatedToken>('POST', `${integration(id)}/rotate-token`),
    rotateSigningSecret: (id: string) => call<RotatedSigningSecret>('POST', `${integration(id)}/rotate-signing-secret`),
    tryOut: (id: string, input: TryOutInput) => call<TryOutResult>('POST', `${integration(id)}/try-out`, input),
    campaigns: (id: string) => call<IntegrationCampaigns>('GET', `${integration(id)}/campaigns`),
    deliveries: (id: string, query: Query) =>
      call<DeliveryList>('GET', withQuery(`${integration(id)}/deliveries`, query)),
    replay: (id: string, deliveryId: string) =>
      call<Delivery>('POST', `${integration(id)}/deliveries/${encodeURIComponent(deliveryId)}/replay`),
    chats: (id: string, query: Query) => call<ChatList>('GET', withQuery(`${integration(id)}/chats`, query)),
    listConnections: () => call<ConnectionList>('GET', '/v1/connections?limit=500'),
    createSandboxConnection: (input: SandboxConnectionInput) =>
      call<ConnectionCreated>('POST', '/v1/connections', { ...input, carrier: { type: 'sandbox' } }),
    deleteConnection: (code: string) => call<undefined>('DELETE', `/v1/connections/${encodeURIComponent(code)}`),
    /**
     * The carrier's own callback, as the sandbox carrier would post it: authenticated by the carrier secret, not the
     * tenant key.
     */
    simulateInbound: (code: string, carrierSecret: string, message: CarrierInbound) =>
      send<MoAccepted>(carrierSecret, 'POST', `/carriers/${encodeURIComponent(code)}/inbound`, message),
    preview: (input: PreviewInput) => call<Preview>('POST', '/v1/preview', input),
  };
}
export type Api = ReturnType<typeof createApi>;

export const describeError = (error: unknown) => (error instanceof Error ? error.message : String(error));
