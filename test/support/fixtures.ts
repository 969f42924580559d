import { apiClient, type ApiClient, type ProvisionedConnection } from './harness.js';

let counter = 0;
/** Unique SMS senders per test run, so claims never collide across tests by accident. */
export const uniqueSender = () =>
  `7${String(Date.now() % 1_000_000).padStart(6, '0')}${String((counter += 1)).padStart(4, '0')}`;

/** A sandbox connection the tenant creates itself; its `carrierSecret` authenticates its inbound callbacks. */
export async function createConnection(
  client: ApiClient,
  code: string,
  senders: string[],
  channel: 'SMS' | 'WHATSAPP' = 'SMS',
): Promise<ProvisionedConnection> {
  const response = await client.post('/v1/connections', { code, channel, senders, carrier: { type: 'sandbox' } });
  if (response.status !== 201)
    throw new Error(`connection ${code}: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body as ProvisionedConnection;
}

/** The carrier of a connection: posts its inbound callbacks with the connection's carrier secret. */
export const carrierOf = (baseUrl: string, connection: { carrierSecret: string }): ApiClient =>
  apiClient(baseUrl, connection.carrierSecret);

export async function createIntegration(
  client: ApiClient,
  alias: string,
  connectionCodes: string[],
  extra: Record<string, unknown> = {},
) {
  const response = await client.post('/v1/integrations', {
    alias,
    method: 'POST',
    url: 'http://127.0.0.1:9/hook',
    connections: connectionCodes.map((code) => ({ code })),
    ...extra,
  });
  if (response.status !== 201)
    throw new Error(`integration ${alias}: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body as { id: string; responseToken: string; signingSecret: string };
}
