/**
 * Everything the harness needs provisioned before load, through the public HTTP API only:
 * a tenant (root key), a connection, an integration pointing at the receiver, started.
 * Kept in one place because provisioning changes with issue 11 (operator-provisioned
 * connections with a carrier secret sent as Bearer on every inbound).
 */

export interface ChaosRoute {
  integrationId: string;
  tenantApiKey: string;
  connectionCode: string;
  sender: string;
  /** Sent as `Authorization: Bearer …` on every inbound when the connection has one. */
  carrierSecret: string | undefined;
  /** Guards the integration's response webhook (MT and END). */
  responseToken: string;
}

async function call(
  baseUrl: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 500)}`);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

/**
 * `carrierUrl` given: an `http` connection provisioned by the operator (root key), so replies go
 * out to that carrier; otherwise a sandbox connection the tenant creates itself.
 */
export async function provisionChaosRoute(
  baseUrl: string,
  adminKey: string,
  receiverUrl: string,
  carrierUrl?: string,
): Promise<ChaosRoute> {
  const tenant = await call(baseUrl, adminKey, 'POST', '/v1/tenants', { name: 'Chaos' });
  const tenantApiKey = String(tenant.apiKey);
  const connectionCode = 'CHAOS';
  const sender = '141518';
  const connection = carrierUrl
    ? await call(baseUrl, adminKey, 'POST', `/v1/tenants/${String(tenant.id)}/connections`, {
        code: connectionCode,
        channel: 'SMS',
        senders: [sender],
        carrier: { type: 'http', url: `${carrierUrl}/sms`, secret: 'chaos-carrier-secret' },
      })
    : await call(baseUrl, tenantApiKey, 'POST', '/v1/connections', {
        code: connectionCode,
        channel: 'SMS',
        senders: [sender],
        carrier: { type: 'sandbox' },
      });
  const integration = await call(baseUrl, tenantApiKey, 'POST', '/v1/integrations', {
    alias: 'Chaos receiver',
    method: 'POST',
    url: `${receiverUrl}/hook`,
    connections: [{ code: connectionCode }],
  });
  const integrationId = String(integration.id);
  await call(baseUrl, tenantApiKey, 'POST', `/v1/integrations/${integrationId}/start`);
  const secret = connection.carrierSecret ?? (connection.carrier as { secret?: unknown } | undefined)?.secret;
  return {
    integrationId,
    tenantApiKey,
    connectionCode,
    sender,
    carrierSecret: typeof secret === 'string' ? secret : undefined,
    responseToken: String(integration.responseToken),
  };
}

export interface DeliveryStatusCounts {
  PENDING: number;
  SUCCEEDED: number;
  FAILED: number;
}

/**
 * What chathook lists for the integration's MESSAGE deliveries, by status (SPEC 4: every
 * accepted event is listed): a lost message that is not even listed is the worst kind.
 */
export async function countListedDeliveries(baseUrl: string, route: ChaosRoute): Promise<DeliveryStatusCounts> {
  const counts: DeliveryStatusCounts = { PENDING: 0, SUCCEEDED: 0, FAILED: 0 };
  for (const status of ['PENDING', 'SUCCEEDED', 'FAILED'] as const) {
    let cursor: string | undefined;
    do {
      const page = await call(
        baseUrl,
        route.tenantApiKey,
        'GET',
        `/v1/integrations/${route.integrationId}/deliveries?event=MESSAGE&status=${status}&limit=500${cursor ? `&cursor=${cursor}` : ''}`,
      );
      counts[status] += (page.items as unknown[]).length;
      cursor = typeof page.nextCursor === 'string' ? page.nextCursor : undefined;
    } while (cursor);
  }
  return counts;
}
