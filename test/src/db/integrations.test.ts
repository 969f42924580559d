import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mongoose from 'mongoose';
import { createIntegrationRepository, templateBytesOf, type NewIntegration } from '../../../src/db/integrations.js';
import type { Models } from '../../../src/db/models.js';
import { openOwnDatabase } from '../../support/own-database.js';

/**
 * The integrations repository keeps template rows out of the integrations collection (one
 * immutable row per version in integration_templates) and answers as if they were inline; reads
 * are by `_id` with the tenant compared in code; list pages end by bytes as well as by count.
 */
describe('integration repository', () => {
  let database: Awaited<ReturnType<typeof openOwnDatabase>>;
  let models: Models;
  const tenantId = new mongoose.Types.ObjectId();
  const otherTenant = new mongoose.Types.ObjectId();

  const rows = (count: number, length: number) =>
    Array.from({ length: count }, (_, i) => ({ key: `k${i}`, type: 'TEXT' as const, value: 'v'.repeat(length) }));
  const newIntegration = (over: Partial<NewIntegration> = {}): NewIntegration => ({
    tenantId,
    alias: 'Repo',
    method: 'POST',
    url: 'https://example.test/hook',
    params: rows(2, 5),
    auth: { type: 'NONE' },
    headers: rows(1, 5),
    body: rows(3, 10),
    connections: [],
    responseTokenHash: `hash-${new mongoose.Types.ObjectId().toHexString()}`,
    responseTokenSealed: 'sealed',
    signingSecretSealed: 'sealed',
    ...over,
  });

  beforeAll(async () => {
    database = await openOwnDatabase('db-integrations');
    models = database.models;
  });

  afterAll(() => database.drop());

  it('stores the template rows in their own collection and reads them back as if inline', async () => {
    const repository = createIntegrationRepository(models);
    const given = newIntegration();
    const created = await repository.insert(given);
    const stored = await models.Integration.findById(created._id).lean();
    expect(stored).toMatchObject({ params: [], headers: [], body: [] });
    expect(stored!.templateBytes).toBe(
      templateBytesOf({ params: given.params, headers: given.headers, body: given.body }),
    );
    const template = await models.IntegrationTemplate.findById(stored!.templateId).lean();
    expect(template).toMatchObject({ integrationId: created._id, tenantId, body: given.body });
    // A second repository (another process) has no cached copy: it reads the template row.
    const fresh = createIntegrationRepository(models);
    const found = await fresh.findForTenant(tenantId, created._id.toHexString());
    expect(found).toMatchObject({ params: given.params, headers: given.headers, body: given.body, alias: 'Repo' });
    expect((await fresh.findById(created._id))!.body).toEqual(given.body);
  });

  it("answers another tenant's id, a malformed id and a missing one with null", async () => {
    const repository = createIntegrationRepository(models);
    const created = await repository.insert(newIntegration());
    expect(await repository.findForTenant(otherTenant, created._id.toHexString())).toBeNull();
    expect(await repository.findForTenant(tenantId, 'not-an-id')).toBeNull();
    expect(await repository.findForTenant(tenantId, new mongoose.Types.ObjectId().toHexString())).toBeNull();
    expect(await repository.findActiveForTenant(created._id, tenantId)).toBeNull(); // INACTIVE
    await models.Integration.updateOne({ _id: created._id }, { $set: { status: 'ACTIVE' } });
    expect(await repository.findActiveForTenant(created._id, otherTenant)).toBeNull();
    expect((await repository.findActiveForTenant(created._id, tenantId))!.body).toHaveLength(3);
  });

  it('a PUT writes a new template version and deletes the one it replaced; a refused PUT leaves none behind', async () => {
    const repository = createIntegrationRepository(models);
    const created = await repository.insert(newIntegration());
    const first = (await models.Integration.findById(created._id).lean())!.templateId!;
    const edited = { ...newIntegration(), body: rows(5, 20) };
    const {
      tenantId: _t,
      responseTokenHash: _h,
      responseTokenSealed: _s,
      signingSecretSealed: _g,
      ...editable
    } = edited;
    const updated = await repository.replaceEditable(created._id, tenantId, editable, true);
    expect(updated!.body).toEqual(rows(5, 20));
    const second = (await models.Integration.findById(created._id).lean())!.templateId!;
    expect(second.equals(first)).toBe(false);
    expect(await models.IntegrationTemplate.findById(first).lean()).toBeNull();
    // Guarded PUT on an ACTIVE integration: refused, and its new template row is gone again.
    await models.Integration.updateOne({ _id: created._id }, { $set: { status: 'ACTIVE' } });
    const before = await models.IntegrationTemplate.countDocuments({ integrationId: created._id });
    expect(await repository.replaceEditable(created._id, tenantId, editable, true)).toBeNull();
    expect(await models.IntegrationTemplate.countDocuments({ integrationId: created._id })).toBe(before);
    await models.Integration.updateOne({ _id: created._id }, { $set: { status: 'INACTIVE' } });
    expect(await repository.deleteInactive(created._id, tenantId)).toBe(true);
    expect(await models.IntegrationTemplate.countDocuments({ integrationId: created._id })).toBe(0);
  });

  it('reads an integration stored before the template collection, with its rows inline', async () => {
    const repository = createIntegrationRepository(models);
    const _id = new mongoose.Types.ObjectId();
    await models.Integration.collection.insertOne({
      ...newIntegration(),
      _id,
      status: 'INACTIVE',
      body: rows(2, 7),
    } as never);
    expect((await repository.findForTenant(tenantId, _id.toHexString()))!.body).toEqual(rows(2, 7));
  });

  it("sums the tenant's template bytes, and a list page ends once its templates weigh the page's bytes", async () => {
    const tenant = new mongoose.Types.ObjectId();
    const repository = createIntegrationRepository(models);
    const made = [];
    for (let i = 0; i < 4; i++)
      made.push(await repository.insert(newIntegration({ tenantId: tenant, body: rows(10, 100) })));
    const each = (await models.Integration.findById(made[0]!._id).lean())!.templateBytes!;
    expect(await repository.templateBytesForTenant(tenant)).toBe(4 * each);
    expect(await repository.templateBytesForTenant(tenant, made[0]!._id)).toBe(3 * each);
    const page = await repository.list(tenant, { limit: 50 }, 2 * each);
    expect(page.items.map((item) => item._id.toHexString())).toEqual(made.slice(0, 2).map((m) => m._id.toHexString()));
    expect(page.nextCursor).toBe(made[1]!._id.toHexString());
    expect(page.items[0]!.body).toEqual(rows(10, 100));
    const rest = await repository.list(tenant, { limit: 50, cursor: page.nextCursor! }, 2 * each);
    expect(rest.items).toHaveLength(2);
    expect(rest.nextCursor).toBeNull();
    // One integration heavier than the page still makes a page of one.
    expect((await repository.list(tenant, { limit: 50 }, 1)).items).toHaveLength(1);
  });
});
