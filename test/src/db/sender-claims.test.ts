import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mongoose from 'mongoose';
import type { Models } from '../../../src/db/models.js';
import { openOwnDatabase } from '../../support/own-database.js';
import { createSenderRepository } from '../../../src/db/senders.js';

/**
 * A claim's `_id` is `<channel>:<claim key>`, so the MO's look-up of a sender's claimant is by
 * `_id`; a claim written before (ObjectId `_id`) is still found, and the unique (channel, sender)
 * index still decides between two claimants of either kind.
 */
describe('sender claims', () => {
  let database: Awaited<ReturnType<typeof openOwnDatabase>>;
  let models: Models;
  const tenantId = new mongoose.Types.ObjectId();

  beforeAll(async () => {
    database = await openOwnDatabase('db-claims');
    models = database.models;
  });

  afterAll(() => database.drop());

  const request = (holderId: mongoose.Types.ObjectId, sender: string) => ({
    channel: 'SMS' as const,
    senders: [{ sender, scope: 'REAL' as const }],
    holderKind: 'INTEGRATION' as const,
    holderId,
    tenantId,
    connectionCode: 'CLAIMS-1',
  });

  it('writes a claim under <channel>:<key> and finds it by that id', async () => {
    const senders = createSenderRepository(models);
    const holder = new mongoose.Types.ObjectId();
    expect(await senders.claim(request(holder, '15557000001'))).toEqual({ ok: true });
    const stored = await models.SenderClaim.findOne({ sender: '15557000001' }).lean();
    expect(stored!._id).toBe('SMS:15557000001');
    expect((await senders.findClaim('SMS', '15557000001'))!.holderId.equals(holder)).toBe(true);
    expect(await senders.findClaim('WHATSAPP', '15557000001')).toBeNull();
    // Another holder is refused by the unique index, and the claim stays the first holder's.
    const other = await senders.claim(request(new mongoose.Types.ObjectId(), '15557000001'));
    expect(other.ok).toBe(false);
    expect((await senders.findClaim('SMS', '15557000001'))!.holderId.equals(holder)).toBe(true);
  });

  it('finds a claim stored before claim ids, and no new claim can take its sender', async () => {
    const holder = new mongoose.Types.ObjectId();
    await models.SenderClaim.collection.insertOne({
      _id: new mongoose.Types.ObjectId(),
      channel: 'SMS',
      sender: '15557000002',
      holderKind: 'INTEGRATION',
      holderId: holder,
      tenantId,
      connectionCode: 'CLAIMS-1',
      claimedAt: new Date(),
    } as never);
    const senders = createSenderRepository(models);
    expect((await senders.findClaim('SMS', '15557000002'))!.holderId.equals(holder)).toBe(true);
    expect((await senders.claim(request(new mongoose.Types.ObjectId(), '15557000002'))).ok).toBe(false);
    // The holder itself re-claims harmlessly (a retried activity).
    expect(await senders.claim(request(holder, '15557000002'))).toEqual({ ok: true });
  });
});
