/**
 * MO routing (src/services/inbound-routing.ts) called directly, with what the carriers router
 * hands it: the app's repositories, secret box, route cache and logger, and the gateway to the
 * run's Temporal server, whose worker runs the chats. The data is made through the API.
 */
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authenticateCarrier,
  receiveInbound,
  type CarrierMessage,
  type InboundRoutingDeps,
} from '../../../src/services/inbound-routing.js';
import { AppError, ErrorCode } from '../../../src/services/errors.js';
import type { ConnectionDoc } from '../../../src/db/connections.js';
import { startTestApp, type ApiClient, type ProvisionedConnection, type TestApp } from '../../support/harness.js';
import { createConnection, createIntegration, uniqueSender } from '../../support/fixtures.js';

let app: TestApp;
let deps: InboundRoutingDeps;
let acme: { id: string; client: ApiClient };
/** A connection whose one sender an ACTIVE integration claims through it. */
let routed: ProvisionedConnection;
let routedSender: string;
let integrationId: string;

beforeAll(async () => {
  app = await startTestApp({ worker: true });
  const { repositories, secretBox, gateway, routeCache, logger } = app.runtime;
  deps = {
    connections: repositories.connections,
    integrations: repositories.integrations,
    senders: repositories.senders,
    campaigns: repositories.campaigns,
    secretBox,
    gateway,
    routeCache,
    logger,
  };
  acme = await app.tenant('Acme');
  routedSender = uniqueSender();
  routed = await createConnection(acme.client, 'MO-ROUTED', [routedSender]);
  const integration = await createIntegration(acme.client, 'Orders', ['MO-ROUTED']);
  integrationId = integration.id;
  expect((await acme.client.post(`/v1/integrations/${integrationId}/start`)).status).toBe(200);
});
afterAll(async () => {
  await app.close();
});

/** The AppError `promise` rejects with (fails the test if it resolves or rejects with anything else). */
async function appErrorOf(promise: Promise<unknown>): Promise<AppError> {
  const outcome = await promise.then(
    (value) => ({ settled: 'resolved' as const, value }),
    (error: unknown) => ({ settled: 'rejected' as const, error }),
  );
  if (outcome.settled === 'resolved') throw new Error(`expected an AppError, got ${JSON.stringify(outcome.value)}`);
  expect(outcome.error).toBeInstanceOf(AppError);
  return outcome.error as AppError;
}

const mo = (to: string, messageId: string, from = '5491100000501'): CarrierMessage => ({
  messageId,
  from,
  to,
  text: `hello ${messageId}`,
});

const authenticated = (connection: ProvisionedConnection): Promise<ConnectionDoc> =>
  authenticateCarrier(deps, { code: connection.code, secret: connection.carrierSecret });

describe('authenticateCarrier', () => {
  it('returns the connection whose carrier secret the callback carries', async () => {
    const connection = await authenticated(routed);
    expect(connection.code).toBe('MO-ROUTED');
    expect(connection.tenantId.toHexString()).toBe(acme.id);
    expect(connection.senders).toEqual([routedSender]);
  });

  it('answers the same UNAUTHORIZED for no secret, a wrong secret and an unknown code', async () => {
    const refusals = await Promise.all([
      appErrorOf(authenticateCarrier(deps, { code: 'MO-ROUTED', secret: undefined })),
      appErrorOf(authenticateCarrier(deps, { code: 'MO-ROUTED', secret: '' })),
      appErrorOf(authenticateCarrier(deps, { code: 'MO-ROUTED', secret: `${routed.carrierSecret}x` })),
      appErrorOf(authenticateCarrier(deps, { code: 'MO-ROUTED', secret: 'x'.repeat(513) })),
      appErrorOf(authenticateCarrier(deps, { code: 'MO-NO-SUCH-CODE', secret: routed.carrierSecret })),
    ]);
    const unauthorized = {
      code: ErrorCode.UNAUTHORIZED,
      message: 'Missing or wrong carrier secret, or unknown connection code',
      details: {},
    };
    expect(refusals.map(({ code, message, details }) => ({ code, message, details }))).toEqual(
      refusals.map(() => unauthorized),
    );
  });

  it("refuses another connection's secret: a secret authenticates its own connection only", async () => {
    const other = await createConnection(acme.client, 'MO-OTHER-SECRET', [uniqueSender()]);
    expect((await authenticated(other)).code).toBe('MO-OTHER-SECRET');
    expect((await appErrorOf(authenticateCarrier(deps, { code: 'MO-ROUTED', secret: other.carrierSecret }))).code).toBe(
      ErrorCode.UNAUTHORIZED,
    );
  });
});

describe('receiveInbound', () => {
  it('hands an accepted message to its chat and answers the chat id; the same messageId again is a duplicate of that chat', async () => {
    const connection = await authenticated(routed);
    const contact = '5491100000511';
    const first = await receiveInbound(deps, { connection, message: mo(routedSender, 'mo-accepted-1', contact) });
    expect(first).toEqual({ chatId: expect.any(String), duplicate: false });
    // The chat the answer names is the contact's chat of the integration, as the read model lists it.
    const [chat] = await app.runtime.repositories.chats.latestOfContact(new Types.ObjectId(integrationId), contact, 1);
    expect(chat).toMatchObject({
      chatId: first.chatId,
      contact,
      connectionCode: 'MO-ROUTED',
      sender: routedSender,
      status: 'OPEN',
    });

    const retried = await receiveInbound(deps, { connection, message: mo(routedSender, 'mo-accepted-1', contact) });
    expect(retried).toEqual({ chatId: first.chatId, duplicate: true });
    // Another messageId of the contact joins the same chat, and is new.
    const next = await receiveInbound(deps, { connection, message: mo(routedSender, 'mo-accepted-2', contact) });
    expect(next).toEqual({ chatId: first.chatId, duplicate: false });
  });

  it('refuses NO_ROUTE for a sender of the connection that nothing claims', async () => {
    const idleSender = uniqueSender();
    const idle = await createConnection(acme.client, 'MO-IDLE', [idleSender]);
    const refusal = await appErrorOf(
      receiveInbound(deps, { connection: await authenticated(idle), message: mo(idleSender, 'mo-idle-1') }),
    );
    expect(refusal.code).toBe(ErrorCode.NO_ROUTE);
    expect(refusal.message).toContain(idleSender);
  });

  it('refuses NO_ROUTE for a `to` that is not a sender of the connection, even one a live campaign of the tenant claims', async () => {
    const campaignSender = uniqueSender();
    const campaignConnection = await createConnection(acme.client, 'MO-CAMPAIGN', [campaignSender]);
    const bot = await createIntegration(acme.client, 'Bot', []);
    expect((await acme.client.post(`/v1/integrations/${bot.id}/start`)).status).toBe(200);
    const campaign = await acme.client.post('/v1/campaigns', {
      name: 'Spring',
      integrationId: bot.id,
      channel: 'SMS',
      senders: [campaignSender],
    });
    expect(campaign.status, JSON.stringify(campaign.body)).toBe(201);
    expect((await acme.client.post(`/v1/campaigns/${campaign.body.id}/live`)).status).toBe(200);
    // The campaign's claim routes on the connection that lists the sender...
    const onItsConnection = await receiveInbound(deps, {
      connection: await authenticated(campaignConnection),
      message: mo(campaignSender, 'mo-campaign-1'),
    });
    expect(onItsConnection.duplicate).toBe(false);
    // ...and not on another connection of the tenant, which does not list it.
    const refusal = await appErrorOf(
      receiveInbound(deps, { connection: await authenticated(routed), message: mo(campaignSender, 'mo-campaign-2') }),
    );
    expect(refusal.code).toBe(ErrorCode.NO_ROUTE);
    expect(refusal.message).toBe(
      `No active integration or live campaign of this connection claims SMS sender ${campaignSender}`,
    );
  });
});
