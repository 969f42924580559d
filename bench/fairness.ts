/**
 * One tenant cannot slow another (`npm run bench -- --only fairness`): tenant A's MO, start, GET
 * by id and list are timed, then tenant B fills every quota it has (connections with the most
 * senders, integrations with the largest templates its template budget allows, each started so
 * that its senders are claimed, reservations, campaigns), then A's calls are timed again on an
 * integration and a connection created after B's. The baseline of each row is the same call of
 * the same run before B's data. The route cache is off (ROUTE_CACHE_TTL=0), so every MO reads
 * its route from the store: the cold path, which is what another tenant's data could slow.
 */
import { performance } from 'node:perf_hooks';
import { request } from 'undici';
import { MAX_RENDERED_REQUEST_BYTES, largestRenderedRequestBytes } from '../src/domain/rendered-request-size.js';
import type { BenchStack } from './embedded-stack.js';
import { loadAgent, percentile, sendMo, startReceiver, type FigureRow } from './load.js';
import { numberFlag, type BenchSuite } from './suite.js';

type Method = 'GET' | 'POST' | 'PUT';

/** A 429 (B filling at the management rate limit) is waited out as its Retry-After says. */
async function call(
  stack: BenchStack,
  token: string,
  method: Method,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: any }> {
  const answer = await callOnce(stack, token, method, path, body);
  if (answer.status !== 429) return answer;
  await new Promise((resolve) => setTimeout(resolve, 1000 * Number(answer.retryAfter ?? 1)));
  return call(stack, token, method, path, body);
}

async function callOnce(stack: BenchStack, token: string, method: Method, path: string, body?: unknown) {
  const response = await request(`${stack.baseUrl}${path}`, {
    method,
    dispatcher: loadAgent,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.body.text();
  return {
    status: response.statusCode,
    retryAfter: response.headers['retry-after'],
    body: text ? (JSON.parse(text) as any) : undefined,
  };
}

async function expectCall(
  stack: BenchStack,
  token: string,
  method: Method,
  path: string,
  body: unknown,
  status: number,
) {
  const answer = await call(stack, token, method, path, body);
  if (answer.status !== status)
    throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
  return answer.body;
}

async function timed(times: number, operation: (index: number) => Promise<void>): Promise<number[]> {
  const took: number[] = [];
  for (let index = 0; index < times; index++) {
    const started = performance.now();
    await operation(index);
    took.push(performance.now() - started);
  }
  return took.sort((a, b) => a - b);
}

interface Figures {
  mo: number[];
  start: number[];
  get: number[];
  list: number[];
}

/** A's own route, made at the moment of measuring: after B's data, it is in no cache. */
async function measureTenantA(stack: BenchStack, label: string, webhookUrl: string, samples: number): Promise<Figures> {
  const key = stack.tenant.apiKey;
  const code = `FAIR-A-${label}`;
  const sender = label === 'before' ? '15550001001' : '15550001002';
  const connection = await expectCall(
    stack,
    key,
    'POST',
    '/v1/connections',
    { code, channel: 'SMS', senders: [sender], carrier: { type: 'sandbox' } },
    201,
  );
  const integration = await expectCall(
    stack,
    key,
    'POST',
    '/v1/integrations',
    { alias: `Fair A ${label}`, method: 'POST', url: webhookUrl, connections: [{ code }] },
    201,
  );
  const started = await timed(1, async () => {
    await expectCall(stack, key, 'POST', `/v1/integrations/${integration.id}/start`, {}, 200);
  });
  const route = { code, sender, carrierSecret: connection.carrierSecret as string };
  let sent = 0;
  const moOnce = async () => {
    const status = await sendMo(stack, route, {
      messageId: `fair-${label}-${sent}`,
      from: `4930${String(1000 + (sent % 10)).padStart(6, '0')}`,
      text: `fair ${label} ${sent}`,
    });
    sent++;
    if (status !== 202) throw new Error(`MO ${label}: ${status}`);
  };
  for (let warm = 0; warm < 10; warm++) await moOnce();
  const mo = await timed(samples, moOnce);
  const get = await timed(samples, async () => {
    await expectCall(stack, key, 'GET', `/v1/integrations/${integration.id}`, undefined, 200);
  });
  const list = await timed(samples, async () => {
    await expectCall(stack, key, 'GET', '/v1/integrations', undefined, 200);
  });
  // Start again and again on an integration of its own (stop between, untimed).
  const cycled = await expectCall(
    stack,
    key,
    'POST',
    '/v1/integrations',
    { alias: `Fair A ${label} cycled`, method: 'POST', url: webhookUrl, connections: [] },
    201,
  );
  const start = await timed(Math.max(5, Math.round(samples / 10)), async () => {
    await expectCall(stack, key, 'POST', `/v1/integrations/${cycled.id}/start`, {}, 200);
    await expectCall(stack, key, 'POST', `/v1/integrations/${cycled.id}/stop`, {}, 200).catch(() => undefined);
  });
  return { mo, start: [...started, ...start].sort((a, b) => a - b), get, list };
}

/**
 * The largest template a create accepts: 50 params and 200 body rows, their values as long as the
 * 256 KiB bound on the rendered request (TEMPLATE_TOO_LARGE) allows, found by bisection with the
 * product's own size rule.
 */
function largestTemplate(url: string) {
  const rows = (count: number, prefix: string, length: number) =>
    Array.from({ length: count }, (_, i) => ({
      key: `${prefix}${i}`,
      type: 'TEXT' as const,
      value: 'x'.repeat(length),
    }));
  const templateOf = (length: number) => ({
    method: 'POST' as const,
    url,
    auth: { type: 'NONE' as const },
    params: rows(50, 'p', Math.min(200, length)),
    headers: [],
    body: rows(200, 'b', length),
  });
  let [fits, tooLarge] = [0, 4097];
  while (tooLarge - fits > 1) {
    const length = Math.floor((fits + tooLarge) / 2);
    if (largestRenderedRequestBytes(templateOf(length)).bytes <= MAX_RENDERED_REQUEST_BYTES) fits = length;
    else tooLarge = length;
  }
  const { params, headers, body } = templateOf(fits);
  return { params, headers, body };
}

interface Filled {
  connections: number;
  senders: number;
  integrations: number;
  largeTemplates: number;
  started: number;
  reservations: number;
  campaigns: number;
  ms: number;
}

/** Creates until `quota` answers 409 (or `cap`, a guard against a quota that is off). */
async function untilQuota(
  quota: string,
  cap: number,
  create: (index: number) => Promise<{ status: number; body: any }>,
) {
  let made = 0;
  for (; made < cap; made++) {
    const answer = await create(made);
    if (answer.status === 409 && answer.body?.error?.quota === quota) return made;
    if (answer.status !== 201) throw new Error(`fill: ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
  }
  return made;
}

export async function fillTenantB(stack: BenchStack, webhookUrl: string, cap: number): Promise<Filled> {
  const began = performance.now();
  const tenant = await expectCall(stack, stack.adminKey, 'POST', '/v1/tenants', { name: 'Fair B' }, 201);
  const key = tenant.apiKey as string;
  const quotas = await expectCall(stack, stack.adminKey, 'GET', `/v1/tenants/${tenant.id}/quotas`, undefined, 200);
  const sendersEach = Math.min(100, quotas.sendersPerConnection as number);
  const senderOf = (connection: number, index: number) =>
    `1666${String(connection).padStart(4, '0')}${String(index).padStart(4, '0')}`;
  const connections = await untilQuota('connections', cap, (index) =>
    call(stack, key, 'POST', '/v1/connections', {
      code: `FAIR-B-${index}`,
      channel: 'SMS',
      senders: Array.from({ length: sendersEach }, (_, sender) => senderOf(index, sender)),
      carrier: { type: 'sandbox' },
    }),
  );
  const large = largestTemplate(webhookUrl);
  let largeTemplates = 0;
  let templateBudgetLeft = true;
  const integrationIds: string[] = [];
  const integrations = await untilQuota('integrations', cap, async (index) => {
    const base = { alias: `Fair B ${index}`, method: 'POST', url: webhookUrl };
    // The last integration lists no connection: campaigns link to such an integration (SPEC).
    const connectionsOf = index < Math.min(connections, quotas.integrations - 1) ? [{ code: `FAIR-B-${index}` }] : [];
    let answer = templateBudgetLeft
      ? await call(stack, key, 'POST', '/v1/integrations', { ...base, ...large, connections: connectionsOf })
      : undefined;
    if (answer?.status === 201) largeTemplates++;
    if (!answer || (answer.status === 409 && answer.body?.error?.quota === 'templateBytes')) {
      templateBudgetLeft = false;
      answer = await call(stack, key, 'POST', '/v1/integrations', { ...base, connections: connectionsOf });
    }
    if (answer.status === 201) integrationIds.push(answer.body.id as string);
    return answer;
  });
  let started = 0;
  for (const id of integrationIds) {
    await expectCall(stack, key, 'POST', `/v1/integrations/${id}/start`, {}, 200);
    started++;
  }
  const totalSenders = connections * sendersEach;
  const reservations = await untilQuota('reservations', Math.min(cap * 10, totalSenders * 2), (index) =>
    call(stack, key, 'POST', '/v1/reservations', {
      channel: 'SMS',
      sender: senderOf(Math.floor((index % totalSenders) / sendersEach), index % sendersEach),
      feature: index < totalSenders ? 'AUTO_REPLY' : 'KEYWORD_CAMPAIGN',
    }),
  );
  const campaigns = await untilQuota('campaigns', cap * 10, (index) =>
    call(stack, key, 'POST', '/v1/campaigns', {
      name: `Fair B ${index}`,
      integrationId: integrationIds[integrationIds.length - 1],
      channel: 'SMS',
      senders: [senderOf(0, index % sendersEach)],
    }),
  );
  return {
    connections,
    senders: totalSenders,
    integrations,
    largeTemplates,
    started,
    reservations,
    campaigns,
    ms: performance.now() - began,
  };
}

const ms = (value: number) => `${value.toFixed(1)} ms`;

function row(figure: string, after: number[], before: number[], at: 50 | 99): FigureRow {
  const [a, b] = [percentile(after, at), percentile(before, at)];
  return {
    figure: `A's ${figure} p${at} (n=${after.length})`,
    chathook: `${ms(a)} (${(a / b).toFixed(2)}×); p50 ${ms(percentile(after, 50))}`,
    baseline: `before B's data: ${ms(b)}; p50 ${ms(percentile(before, 50))}`,
    target: '≤ 1.2×',
    met: a / b <= 1.2 ? 'yes' : 'no',
  };
}

export const fairnessSuite: BenchSuite = {
  name: 'fairness',
  async run(context) {
    const samples = numberFlag(context, 'samples', context.full ? 300 : 100);
    // The product's quotas and rate limits: B fills what a tenant may hold.
    const stack = await context.startStack({ env: { ROUTE_CACHE_TTL: '0' }, productLimits: true });
    const receiver = await startReceiver();
    try {
      const before = await measureTenantA(stack, 'before', receiver.url, samples);
      context.log(`fairness: A measured before B's data; B fills its quotas`);
      const filled = await fillTenantB(stack, receiver.url, numberFlag(context, 'fill-cap', 20_000));
      context.log(`fairness: B filled in ${(filled.ms / 1000).toFixed(0)} s; A measured again`);
      const after = await measureTenantA(stack, 'after', receiver.url, samples);
      return {
        rows: [
          row('MO → 202, route cache cold', after.mo, before.mo, 99),
          row('POST /start', after.start, before.start, 50),
          row('GET /v1/integrations/{id}', after.get, before.get, 50),
          row('GET /v1/integrations', after.list, before.list, 50),
        ],
        notes: [
          `Tenant B, at its default quotas: ${filled.connections} connections with ${filled.senders} senders, ` +
            `${filled.integrations} integrations (${filled.largeTemplates} with the largest template the schema accepts, ` +
            `the rest once the template budget answered 409), ${filled.started} started (their senders claimed), ` +
            `${filled.reservations} reservations, ${filled.campaigns} campaigns; made in ${(filled.ms / 1000).toFixed(0)} s.`,
          'Start is judged on its median (few samples); the MO on its p99, GET and list on their median.',
        ],
      };
    } finally {
      await receiver.close();
      await stack.stop();
    }
  },
};
