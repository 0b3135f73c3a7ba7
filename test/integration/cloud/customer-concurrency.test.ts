import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../../branch-server/ids.ts';
import { applyCustomerChange } from '../../../sync/cloud/use-cases/customers.ts';
import type { CustomerEdit } from '../../../sync/protocol/entities.ts';
import { formatHlc } from '../../../sync/protocol/hlc.ts';
import { enrollmentToken, RawDevice, seedCloudTenant, startTestCloud, type SeededCloudTenant, type TestCloud } from '../../helpers/cloud.ts';

/**
 * Customer edits from two branches (or a branch and HQ) are applied by concurrent transactions on
 * the PostgreSQL server. Each reads the customer, joins its edit in and writes the result back:
 * without a row lock the second write replaces the first one's join, and an edit is lost at the
 * cloud while the feed still carries it (the branches then disagree with HQ). PGlite runs one
 * transaction at a time, so the race exists only on the server (CI).
 */
const onServer = Boolean(process.env['DATABASE_URL']);
let cloud: TestCloud;
let acme: SeededCloudTenant;

beforeAll(async () => {
  cloud = await startTestCloud();
  acme = await seedCloudTenant(cloud, 'acme');
});
afterAll(async () => {
  await cloud?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function edit(id: string, values: CustomerEdit['values'], ms: number, deleted = false): CustomerEdit {
  return { id, tenant_id: acme.tenantId, created_at: 1_700_000_000_000, values, hlc: formatHlc(ms, 0), deleted };
}

/** Runs `first` in a transaction held open until `second` (started meanwhile) has had time to read. */
async function interleave(first: CustomerEdit, firstOrigin: string, second: CustomerEdit, secondOrigin: string): Promise<void> {
  const { withTenant } = cloud.deps.cloud;
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  let firstApplied!: () => void;
  const applied = new Promise<void>((r) => { firstApplied = r; });
  const one = withTenant(acme.tenantId, async (trx) => {
    await applyCustomerChange(trx, acme.tenantId, first, firstOrigin, false, Date.now());
    firstApplied();
    await gate;
  });
  await applied;
  const two = withTenant(acme.tenantId, (trx) => applyCustomerChange(trx, acme.tenantId, second, secondOrigin, false, Date.now()));
  await sleep(300);
  release();
  await Promise.all([one, two]);
}

async function customer(id: string) {
  return cloud.db.db.selectFrom('customer').select(['id', 'phone', 'email', 'first_name', 'merged_into', 'deleted']).where('id', '=', id).executeTakeFirstOrThrow();
}

describe.runIf(onServer)('customer edits applied by concurrent cloud transactions', () => {
  it('keeps both edits when two branches change different fields of one customer at the same moment', async () => {
    const id = uuidv7();
    await cloud.deps.cloud.withTenant(acme.tenantId, (trx) => applyCustomerChange(trx, acme.tenantId,
      edit(id, { first_name: 'Awa', last_name: 'Ndiaye', phone: '+221770000001', email: 'awa@old.test' }, 1_000), 'branch-a', false, Date.now()));

    await interleave(edit(id, { phone: '+221770000002' }, 2_000), 'branch-a', edit(id, { email: 'awa@new.test' }, 3_000), 'branch-b');

    expect(await customer(id)).toMatchObject({ phone: '+221770000002', email: 'awa@new.test', first_name: 'Awa' });
    // The last feed entry for the customer carries the state the cloud holds.
    const last = await cloud.db.db.selectFrom('change_feed').select('data').where('entity_id', '=', id).orderBy('seq', 'desc').executeTakeFirstOrThrow();
    expect(last.data).toMatchObject({ phone: '+221770000002', email: 'awa@new.test' });
  });

  it('merges a duplicate created at the moment its survivor is edited elsewhere, losing neither', async () => {
    const older = uuidv7();
    await cloud.deps.cloud.withTenant(acme.tenantId, (trx) => applyCustomerChange(trx, acme.tenantId,
      edit(older, { first_name: 'Moussa', last_name: 'Diop', phone: '+221770000010', email: '' }, 1_000), 'branch-a', false, Date.now()));
    const newer = uuidv7();

    // Branch B creates a duplicate (same phone) while branch A's later edit of the original is in flight.
    await interleave(edit(older, { email: 'moussa@a.test' }, 4_000), 'branch-a',
      edit(newer, { first_name: 'Moussa', last_name: 'Diop', phone: '+221770000010', email: '' }, 3_000), 'branch-b');

    expect(await customer(newer)).toMatchObject({ merged_into: older });
    expect(await customer(older)).toMatchObject({ merged_into: null, phone: '+221770000010', email: 'moussa@a.test', deleted: null });
  });

  it('points a ticket uploaded while its customer is being merged away at the survivor', async () => {
    // Branch A registered Fatou first (the lower id) but reaches the cloud after branch B's duplicate.
    const older = uuidv7();
    const newer = uuidv7();
    const fatou = { first_name: 'Fatou', last_name: 'Sow', phone: '+221770000020', email: '' };
    await cloud.deps.cloud.withTenant(acme.tenantId, (trx) => applyCustomerChange(trx, acme.tenantId, edit(newer, fatou, 1_000), 'branch-b', false, Date.now()));
    const branchB = new RawDevice(cloud.url);
    await branchB.enroll(await enrollmentToken(cloud, acme.tenantId, acme.siteId));
    await branchB.signIn();

    // A's upload merges B's record into A's and is held open; B meanwhile uploads a ticket for it.
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    let mergedUncommitted!: () => void;
    const merged = new Promise<void>((r) => { mergedUncommitted = r; });
    const merging = cloud.deps.cloud.withTenant(acme.tenantId, async (trx) => {
      await applyCustomerChange(trx, acme.tenantId, edit(older, fatou, 2_000), 'branch-a', false, Date.now());
      mergedUncommitted();
      await gate;
    });
    await merged;
    const now = Date.now();
    const ticket = {
      id: uuidv7(now), tenant_id: acme.tenantId, site_id: acme.siteId, queue_id: randomUUID(), number: 'A001', status: 'en_attente', channel: 'kiosk',
      priority: 0, created_at: now, updated_at: now, called_at: null, started_at: null, ended_at: null, agent_id: null, customer_id: newer,
    };
    const pushing = branchB.call('POST', '/sync/v1/push', {
      stream_id: randomUUID(), outbox_depth: 0, oldest_unsent_ms: null, clock_offset_ms: 0, app_version: 'test',
      rows: [{ seq: 1, mutation_id: uuidv7(), entity: 'ticket', entity_id: ticket.id, op: 'insert', payload: ticket, created_at: now }],
    });
    await sleep(300);
    release();
    const [, push] = await Promise.all([merging, pushing]);
    expect(push.status).toBe(200);
    expect(push.body.applied).toBe(1);

    expect(await customer(newer)).toMatchObject({ merged_into: older });
    const stored = await cloud.db.db.selectFrom('ticket').select(['customer_id', 'data']).where('id', '=', ticket.id).executeTakeFirstOrThrow();
    expect({ column: stored.customer_id, data: (stored.data as { customer_id: string }).customer_id }).toEqual({ column: older, data: older });
  });
});
