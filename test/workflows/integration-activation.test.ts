import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activationWorkflowId } from '../../workflows/contract/ids.js';
import { startTestApp, type ApiClient, type TestApp } from '../support/harness.js';
import { createConnection, createIntegration, uniqueSender } from '../support/fixtures.js';
import { claimKeyOf } from '../../src/db/senders.js';

let app: TestApp;
let acme: ApiClient;
let acmeId: string;
let globex: ApiClient;
let globexId: string;

beforeAll(async () => {
  app = await startTestApp({ worker: true });
  ({ client: acme, id: acmeId } = await app.tenant('Acme'));
  ({ client: globex, id: globexId } = await app.tenant('Globex'));
});
afterAll(async () => {
  await app.close();
});

const claimsOf = (integrationId: string) =>
  app.models.SenderClaim.find({ holderId: new mongoose.Types.ObjectId(integrationId) }).lean();
/** The connections here are sandboxes: their senders are claimed in their tenant's namespace. */
const sandboxKey = (tenantId: string, sender: string) =>
  claimKeyOf(new mongoose.Types.ObjectId(tenantId), 'SANDBOX', sender);

describe('activation workflow', () => {
  it('activates every connection: 200 ACTIVE, partial false, senders claimed', async () => {
    const [s1, s2, s3] = [uniqueSender(), uniqueSender(), uniqueSender()];
    await createConnection(acme, 'FULL-1', [s1, s2]);
    await createConnection(acme, 'FULL-2', [s3]);
    const integration = await createIntegration(acme, 'Full', ['FULL-1', 'FULL-2']);
    const started = await acme.post(`/v1/integrations/${integration.id}/start`);
    expect(started.status).toBe(200);
    expect(started.body).toEqual({
      status: 'ACTIVE',
      partial: false,
      connections: [
        { code: 'FULL-1', status: 'ACTIVE' },
        { code: 'FULL-2', status: 'ACTIVE' },
      ],
    });
    expect((await claimsOf(integration.id)).map((claim) => claim.sender).sort()).toEqual(
      [s1, s2, s3].map((sender) => sandboxKey(acmeId, sender)).sort(),
    );
    expect((await acme.get(`/v1/integrations/${integration.id}`)).body.status).toBe('ACTIVE');
    const details = await acme.get(`/v1/integrations/${integration.id}/connections`);
    expect(details.body.items).toEqual([
      expect.objectContaining({ code: 'FULL-1', channel: 'SMS', senders: [s1, s2], status: 'ACTIVE', error: null }),
      expect.objectContaining({ code: 'FULL-2', channel: 'SMS', senders: [s3], status: 'ACTIVE', error: null }),
    ]);
  });

  it('activates some: 200 partial with the failed connection error naming the sender and the feature', async () => {
    const [free, reserved] = [uniqueSender(), uniqueSender()];
    await createConnection(acme, 'PART-OK', [free]);
    await createConnection(acme, 'PART-KO', [reserved]);
    await acme.post('/v1/reservations', {
      channel: 'SMS',
      sender: reserved,
      feature: 'KEYWORD_CAMPAIGN',
      label: 'Promo',
    });
    const integration = await createIntegration(acme, 'Partial', ['PART-OK', 'PART-KO']);
    const started = await acme.post(`/v1/integrations/${integration.id}/start`);
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({
      status: 'ACTIVE',
      partial: true,
      message: 'Not all connections were activated',
      connections: [
        { code: 'PART-OK', status: 'ACTIVE' },
        {
          code: 'PART-KO',
          status: 'FAILED',
          error: {
            code: 'SENDER_IN_USE',
            message: expect.stringContaining(`sender ${reserved} is used by a keyword campaign ("Promo")`),
          },
        },
      ],
    });
    expect((await claimsOf(integration.id)).map((claim) => claim.sender)).toEqual([sandboxKey(acmeId, free)]);
    const details = await acme.get(`/v1/integrations/${integration.id}/connections`);
    expect(details.body.items[1]).toMatchObject({
      code: 'PART-KO',
      status: 'FAILED',
      error: { code: 'SENDER_IN_USE' },
    });

    const history = await app.runtime.temporal.client.workflow
      .getHandle(activationWorkflowId(integration.id))
      .fetchHistory();
    const failures = history.events!.filter((event) => event.activityTaskFailedEventAttributes);
    expect(failures).toHaveLength(1);
    expect(failures[0]!.activityTaskFailedEventAttributes!.failure!.message).toContain('SMS - PART-KO');
    expect(failures[0]!.activityTaskFailedEventAttributes!.failure!.applicationFailureInfo!.type).toBe('SENDER_IN_USE');
  });

  it('activates none: 409 ACTIVATION_FAILED, stays INACTIVE and releases what the attempt claimed', async () => {
    const [free, held] = [uniqueSender(), uniqueSender()];
    // A sender belongs to one tenant (SPEC 2): what holds it is another integration of the same tenant.
    await createConnection(acme, 'HOLDER', [held]);
    const holder = await createIntegration(acme, 'Holder', ['HOLDER']);
    expect((await acme.post(`/v1/integrations/${holder.id}/start`)).status).toBe(200);

    // Both connections fail; the first had claimed `free` before meeting `held`.
    await createConnection(acme, 'NONE-1', [free, held]);
    const reservedSender = uniqueSender();
    await createConnection(acme, 'NONE-2', [reservedSender]);
    await acme.post('/v1/reservations', { channel: 'SMS', sender: reservedSender, feature: 'AUTO_REPLY' });
    const integration = await createIntegration(acme, 'None', ['NONE-1', 'NONE-2']);
    const started = await acme.post(`/v1/integrations/${integration.id}/start`);
    expect(started.status).toBe(409);
    expect(started.body).toMatchObject({
      error: { code: 'ACTIVATION_FAILED' },
      status: 'INACTIVE',
      connections: [
        {
          code: 'NONE-1',
          status: 'FAILED',
          error: {
            code: 'SENDER_IN_USE',
            message: expect.stringContaining(
              `sender ${held} is used by the active Custom Webhook integration "Holder"`,
            ),
          },
        },
        {
          code: 'NONE-2',
          status: 'FAILED',
          error: { code: 'SENDER_IN_USE', message: expect.stringContaining('an auto-reply') },
        },
      ],
    });
    expect(await claimsOf(integration.id)).toEqual([]);
    expect(await app.models.SenderClaim.findOne({ sender: sandboxKey(acmeId, free) }).lean()).toBeNull();
    expect((await acme.get(`/v1/integrations/${integration.id}`)).body.status).toBe('INACTIVE');
  });

  it('activates an integration with no connections (chatbot mode)', async () => {
    const integration = await createIntegration(acme, 'Chatbot', []);
    const started = await acme.post(`/v1/integrations/${integration.id}/start`);
    expect(started.status).toBe(200);
    expect(started.body).toEqual({ status: 'ACTIVE', partial: false, connections: [] });
  });

  it('is idempotent: concurrent and repeated starts give one activation', async () => {
    const sender = uniqueSender();
    await createConnection(acme, 'IDEM', [sender]);
    const integration = await createIntegration(acme, 'Idempotent', ['IDEM']);
    const [first, second] = await Promise.all([
      acme.post(`/v1/integrations/${integration.id}/start`),
      acme.post(`/v1/integrations/${integration.id}/start`),
    ]);
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(first.body).toEqual(second.body);
    const third = await acme.post(`/v1/integrations/${integration.id}/start`);
    expect(third.body).toEqual({ status: 'ACTIVE', partial: false, connections: [{ code: 'IDEM', status: 'ACTIVE' }] });
    expect(await claimsOf(integration.id)).toHaveLength(1);
  });

  it('stops: releases the senders; a second stop is a no-op; then another integration can take them', async () => {
    const sender = uniqueSender();
    await createConnection(acme, 'STOP', [sender]);
    const first = await createIntegration(acme, 'First', ['STOP']);
    const second = await createIntegration(acme, 'Second', ['STOP']);
    expect((await acme.post(`/v1/integrations/${first.id}/start`)).status).toBe(200);
    expect((await acme.post(`/v1/integrations/${second.id}/start`)).status).toBe(409);
    expect(await acme.post(`/v1/integrations/${first.id}/stop`)).toMatchObject({
      status: 200,
      body: { status: 'INACTIVE' },
    });
    expect(await claimsOf(first.id)).toEqual([]);
    expect(await acme.post(`/v1/integrations/${first.id}/stop`)).toMatchObject({
      status: 200,
      body: { status: 'INACTIVE' },
    });
    const details = await acme.get(`/v1/integrations/${first.id}/connections`);
    expect(details.body.items[0]).toMatchObject({ code: 'STOP', status: 'INACTIVE' });
    expect((await acme.post(`/v1/integrations/${second.id}/start`)).status).toBe(200);
  });

  it('blocks a stop while a linked campaign is LIVE, naming the campaigns', async () => {
    const integration = await createIntegration(acme, 'Bot', []);
    await acme.post(`/v1/integrations/${integration.id}/start`);
    const sender = uniqueSender();
    await createConnection(acme, 'SPRING', [sender]);
    const campaign = await acme.post('/v1/campaigns', {
      name: 'Spring bot',
      integrationId: integration.id,
      channel: 'SMS',
      senders: [sender],
    });
    expect(campaign.status).toBe(201);
    expect((await acme.post(`/v1/campaigns/${campaign.body.id}/live`)).status).toBe(200);
    const blocked = await acme.post(`/v1/integrations/${integration.id}/stop`);
    expect(blocked.status).toBe(409);
    expect(blocked.body.error).toMatchObject({
      code: 'LINKED_TO_LIVE_CAMPAIGNS',
      campaigns: [{ id: campaign.body.id, name: 'Spring bot' }],
    });
    expect((await acme.get(`/v1/integrations/${integration.id}`)).body.status).toBe('ACTIVE');
    await acme.post(`/v1/campaigns/${campaign.body.id}/pause`);
    expect((await acme.post(`/v1/integrations/${integration.id}/stop`)).status).toBe(200);
  });

  it('guards an active integration: connections fixed, no delete, its connection not deletable', async () => {
    const sender = uniqueSender();
    await createConnection(acme, 'GUARD', [sender]);
    const integration = await createIntegration(acme, 'Guarded', ['GUARD']);
    await acme.post(`/v1/integrations/${integration.id}/start`);
    const put = await acme.put(`/v1/integrations/${integration.id}`, {
      alias: 'G',
      method: 'POST',
      url: 'http://127.0.0.1:9/x',
      connections: [],
    });
    expect(put.status).toBe(409);
    expect((await acme.delete(`/v1/integrations/${integration.id}`)).status).toBe(409);
    expect((await acme.delete('/v1/connections/GUARD')).status).toBe(409);
  });

  it(
    'never lets two integrations sharing a sender both win: 20 pairs started at once',
    { timeout: 120_000 },
    async () => {
      const pairs = await Promise.all(
        Array.from({ length: 20 }, async (_, index) => {
          const sender = uniqueSender();
          await createConnection(globex, `RACE-${index}`, [sender]);
          const a = await createIntegration(globex, `Race ${index} A`, [`RACE-${index}`]);
          const b = await createIntegration(globex, `Race ${index} B`, [`RACE-${index}`]);
          return { sender, ids: [a.id, b.id] };
        }),
      );
      const results = await Promise.all(
        pairs.flatMap((pair) => pair.ids.map((id) => globex.post(`/v1/integrations/${id}/start`))),
      );
      for (const [index, pair] of pairs.entries()) {
        const statuses = [results[index * 2]!.status, results[index * 2 + 1]!.status].sort();
        expect(statuses, `pair ${index}`).toEqual([200, 409]);
        const winner = results[index * 2]!.status === 200 ? pair.ids[0]! : pair.ids[1]!;
        const claim = await app.models.SenderClaim.findOne({
          channel: 'SMS',
          sender: sandboxKey(globexId, pair.sender),
        }).lean();
        expect(claim!.holderId.toHexString()).toBe(winner);
        const docs = await app.models.Integration.find({ _id: { $in: pair.ids } }, { status: 1 }).lean();
        expect(docs.map((doc) => doc.status).sort()).toEqual(['ACTIVE', 'INACTIVE']);
      }
    },
  );
});

describe('campaigns', () => {
  it('links only to an ACTIVE integration with no connections', async () => {
    const sender = uniqueSender();
    await createConnection(acme, 'CAMP-CONN', [uniqueSender()]);
    const withConnections = await createIntegration(acme, 'With connections', ['CAMP-CONN']);
    const refused = await acme.post('/v1/campaigns', {
      name: 'X',
      integrationId: withConnections.id,
      channel: 'SMS',
      senders: [sender],
    });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('INTEGRATION_HAS_CONNECTIONS');
    const inactive = await createIntegration(acme, 'Inactive bot', []);
    const notActive = await acme.post('/v1/campaigns', {
      name: 'X',
      integrationId: inactive.id,
      channel: 'SMS',
      senders: [sender],
    });
    expect(notActive.status).toBe(409);
    expect(notActive.body.error.code).toBe('INTEGRATION_INACTIVE');
    expect(
      (await acme.post('/v1/campaigns', { name: 'X', integrationId: 'nope', channel: 'SMS', senders: [sender] }))
        .status,
    ).toBe(404);
  });

  it('claims senders when LIVE, sets the integration date once, releases on pause', async () => {
    const integration = await createIntegration(acme, 'Bot 2', []);
    await acme.post(`/v1/integrations/${integration.id}/start`);
    const [sender, reserved] = [uniqueSender(), uniqueSender()];
    await createConnection(acme, 'SUMMER', [sender, reserved]);
    const campaign = await acme.post('/v1/campaigns', {
      name: 'Summer',
      integrationId: integration.id,
      channel: 'SMS',
      senders: [sender],
    });
    expect(campaign.body).toMatchObject({ status: 'DRAFT', integrationDate: null });
    const live = await acme.post(`/v1/campaigns/${campaign.body.id}/live`);
    expect(live.body.status).toBe('LIVE');
    const firstDate = live.body.integrationDate;
    expect(firstDate).toEqual(expect.any(String));
    expect(await app.models.SenderClaim.findOne({ sender: sandboxKey(acmeId, sender) }).lean()).toMatchObject({
      holderKind: 'CAMPAIGN',
    });
    expect((await acme.post(`/v1/campaigns/${campaign.body.id}/pause`)).body.status).toBe('PAUSED');
    expect((await acme.post(`/v1/campaigns/${campaign.body.id}/pause`)).status).toBe(200);
    expect(await app.models.SenderClaim.findOne({ sender: sandboxKey(acmeId, sender) }).lean()).toBeNull();
    const again = await acme.post(`/v1/campaigns/${campaign.body.id}/live`);
    expect(again.body.integrationDate).toBe(firstDate);

    await acme.post('/v1/reservations', { channel: 'SMS', sender: reserved, feature: 'AUTO_REPLY' });
    const blocked = await acme.post('/v1/campaigns', {
      name: 'Blocked',
      integrationId: integration.id,
      channel: 'SMS',
      senders: [reserved],
    });
    const conflict = await acme.post(`/v1/campaigns/${blocked.body.id}/live`);
    expect(conflict.status).toBe(409);
    expect(conflict.body.error).toMatchObject({ code: 'SENDER_IN_USE', message: expect.stringContaining(reserved) });

    const listed = await acme.get(`/v1/integrations/${integration.id}/campaigns`);
    expect(listed.body).toMatchObject({
      integrationType: 'CHATBOT',
      items: [
        { campaignId: campaign.body.id, name: 'Summer', integrationDate: firstDate, status: 'LIVE' },
        { campaignId: blocked.body.id, name: 'Blocked', integrationDate: null, status: 'DRAFT' },
      ],
    });
    expect((await globex.get(`/v1/integrations/${integration.id}/campaigns`)).status).toBe(404);
    expect((await globex.post(`/v1/campaigns/${campaign.body.id}/pause`)).status).toBe(404);
  });
});
