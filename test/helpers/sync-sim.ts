import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIGRATIONS } from '../../branch-server/db/migrations/index.ts';
import { migrateToLatest } from '../../branch-server/db/migrate.ts';
import { Db, openSqlite } from '../../branch-server/db/sqlite.ts';
import { SYSTEM_ACTOR } from '../../branch-server/db/repositories/audit.repository.ts';
import { createTenant } from '../../branch-server/use-cases/create-tenant.ts';
import { createCustomer, forgetCustomer, updateCustomer } from '../../branch-server/use-cases/customers.ts';
import type { Caller } from '../../branch-server/use-cases/deps.ts';
import { leaveFeedback } from '../../branch-server/use-cases/feedback.ts';
import { issueTicket } from '../../branch-server/use-cases/issue-ticket.ts';
import { SyncClient } from '../../sync/client/sync-client.ts';
import { httpTransport, type SyncTransport } from '../../sync/client/transport.ts';
import type { CloudFaults } from '../../sync/cloud/http/context.ts';
import { applyCustomerChange } from '../../sync/cloud/use-cases/customers.ts';
import { formatHlc } from '../../sync/protocol/hlc.ts';
import type { TestCloud } from './cloud.ts';

/** Where a simulated branch syncs to: a cloud's URL, and (when this process can read its database) the feed head. */
export type SimTarget = Readonly<{ url: string; feedHead?: (tenantId: string) => Promise<number> }>;

export function targetOf(cloud: TestCloud): SimTarget {
  return {
    url: cloud.url,
    feedHead: async (tenantId) => (await cloud.db.db.selectFrom('tenant_feed_counter').select('value').where('tenant_id', '=', tenantId).executeTakeFirstOrThrow()).value,
  };
}

/** A small seeded PRNG (mulberry32): one seed replays a whole run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class SimulatedCrash extends Error {
  override readonly name = 'SimulatedCrash';
}

/** What the network does to one branch's requests. */
export type NetworkFaults = {
  online: boolean;
  dropRequest: number;
  dropResponse: number;
  duplicate: number;
  maxDelayMs: number;
};

export const HEALTHY: NetworkFaults = { online: true, dropRequest: 0, dropResponse: 0, duplicate: 0, maxDelayMs: 0 };

/**
 * A transport that loses requests, loses responses (the cloud did the work, the branch never hears),
 * sends requests twice (the copy arrives later, after newer requests: duplication and reordering),
 * and delays, all from one seeded random source.
 */
export class FaultyTransport {
  readonly late = new Set<Promise<unknown>>();
  duplicatesSent = 0;
  /** Every push as it left: rows and serialized bytes (batches must stay bounded). */
  readonly pushes: { rows: number; bytes: number }[] = [];
  constructor(private readonly inner: SyncTransport, private readonly random: () => number, public faults: NetworkFaults) {}

  readonly send: SyncTransport = async (req) => {
    const f = this.faults;
    if (!f.online) throw new Error('network: offline');
    if (req.path === '/sync/v1/push') {
      const body = req.body as { rows?: unknown[] };
      this.pushes.push({ rows: body.rows?.length ?? 0, bytes: Buffer.byteLength(JSON.stringify(req.body)) });
    }
    if (f.maxDelayMs > 0) await sleep(this.random() * f.maxDelayMs);
    if (this.random() < f.dropRequest) throw new Error('network: request lost');
    if (this.random() < f.duplicate) {
      this.duplicatesSent += 1;
      const delay = this.random() * 30;
      const copy = sleep(delay).then(() => this.inner(req)).catch(() => undefined);
      this.late.add(copy);
      void copy.finally(() => this.late.delete(copy));
    }
    const res = await this.inner(req);
    if (this.random() < f.dropResponse) throw new Error('network: response lost');
    return res;
  };

  async settle(): Promise<void> {
    while (this.late.size > 0) await Promise.all([...this.late]);
  }
}

/** Cloud-side crash points (sync/cloud/use-cases/push.ts): a throw there is the process dying. */
export class CloudCrashes implements CloudFaults {
  armed: { point: string; countdown: number } | null = null;
  crashes = 0;
  at(point: string): void {
    if (!this.armed || this.armed.point !== point) return;
    this.armed.countdown -= 1;
    if (this.armed.countdown > 0) return;
    this.armed = null;
    this.crashes += 1;
    throw new SimulatedCrash(`cloud crashed at ${point}`);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A fresh branch database with the demo tenant, as `npm start` makes on first start. */
async function newBranchDatabase(file: string): Promise<void> {
  const sqlite = openSqlite(file);
  await migrateToLatest(sqlite);
  await createTenant(new Db(sqlite), { name: 'Demo', slug: 'demo-bank', adminEmail: 'admin@demo.test', adminPassword: 'demo-password-1', withDemoData: true }, Date.now());
  sqlite.close();
}

const SCHEMA_VERSION = Object.keys(MIGRATIONS).length;
const PHONES = ['+221770000001', '+221770000002', '+221770000003', '+221770000004'];
const NAMES = ['Awa', 'Moussa', 'Fatou', 'Ibrahima', 'Aminata'];

/** A branch in the simulation: a real SQLite file, the real use-cases, the real sync client. */
export class SimBranch {
  readonly db: Db;
  readonly network: FaultyTransport;
  client!: SyncClient;
  deviceId = '';
  tenantId = '';
  siteId = '';
  clockOffsetMs = 0;
  /** Which client crash point fires next (null: none armed). */
  crashAt: string | null = null;
  crashes = 0;

  private constructor(
    readonly name: string,
    file: string,
    readonly cloud: SimTarget,
    readonly random: () => number,
    /** Small by default so a few writes already span several batches and pages. */
    private readonly batches: Readonly<{ batchRows: number; pullLimit: number }>,
  ) {
    this.db = new Db(openSqlite(file));
    this.network = new FaultyTransport(httpTransport(cloud.url, { timeoutMs: 10_000, schemaVersion: SCHEMA_VERSION }), random, { ...HEALTHY });
    this.restart();
  }

  static async create(name: string, cloud: SimTarget, random: () => number, batches = { batchRows: 7, pullLimit: 5 }): Promise<SimBranch> {
    const dir = mkdtempSync(join(tmpdir(), `sq-sim-${name}-`));
    const file = join(dir, 'branch.sqlite');
    await newBranchDatabase(file);
    return new SimBranch(name, file, cloud, random, batches);
  }

  now = (): number => Date.now() + this.clockOffsetMs;

  /** A new client on the same database: what the branch server does after a crash. */
  restart(): void {
    this.client = new SyncClient({
      db: this.db,
      transport: this.network.send,
      now: this.now,
      random: this.random,
      appVersion: 'sim',
      schemaVersion: SCHEMA_VERSION,
      cloudUrl: this.cloud.url,
      ...this.batches,
      faults: {
        at: (point: string) => {
          if (this.crashAt !== point) return;
          this.crashAt = null;
          this.crashes += 1;
          throw new SimulatedCrash(`${this.name} crashed at ${point}`);
        },
      },
    });
  }

  async enroll(token: string): Promise<void> {
    const result = await this.client.enroll(token);
    this.deviceId = result.device_id;
    this.tenantId = result.tenant.id;
    this.siteId = result.site.id;
  }

  lastCycle: { pushed: number; pulled: number } | null = null;

  /** One sync cycle; a simulated crash restarts the client, a network failure is just a failure. */
  async sync(): Promise<'ok' | 'failed' | 'crashed'> {
    try {
      this.lastCycle = await this.client.syncOnce();
      return 'ok';
    } catch (error) {
      if (isCrash(error)) {
        this.restart();
        return 'crashed';
      }
      return 'failed';
    }
  }

  private caller(): Caller {
    return { tenantId: this.tenantId, tenantSlug: '', actor: { ...SYSTEM_ACTOR, endpoint: 'sim' }, role: 'admin', now: this.now(), origin: 'http://sim' };
  }

  private openQueues(): string[] {
    return this.db.sqlite.prepare(`SELECT id FROM queue WHERE tenant_id = ? AND site_id = ? AND status = 'open' ORDER BY id`).pluck().all(this.tenantId, this.siteId) as string[];
  }

  private customers(): string[] {
    return this.db.sqlite.prepare('SELECT id FROM customer WHERE tenant_id = ? ORDER BY id').pluck().all(this.tenantId) as string[];
  }

  private pick<T>(items: readonly T[]): T | undefined {
    return items.length === 0 ? undefined : items[Math.floor(this.random() * items.length)];
  }

  /** A local write, as the branch's staff and kiosks make them, whatever the link is doing. */
  write(kind: 'ticket' | 'customer' | 'edit' | 'feedback' | 'forget'): void {
    const deps = { db: this.db, events: { publish: () => undefined } };
    const caller = this.caller();
    switch (kind) {
      case 'ticket': {
        const queueId = this.pick(this.openQueues());
        if (!queueId) return;
        const customerId = this.random() < 0.3 ? this.pick(this.customers()) ?? null : null;
        issueTicket(deps, caller, { queueId, channel: 'kiosk', priority: this.random() < 0.2 ? 1 : 0, customerId });
        return;
      }
      case 'customer':
        createCustomer(deps, caller, {
          first_name: this.pick(NAMES)!, last_name: '', phone: this.pick(PHONES)!, email: '', language: 'fr', external_ref: null,
          notify_sms: this.random() < 0.5, notify_email: false, notify_whatsapp: false, consents: {}, tags: [], metadata: {},
        } as Parameters<typeof createCustomer>[2]);
        return;
      case 'edit': {
        const id = this.pick(this.customers());
        if (!id) return;
        const patch = this.random() < 0.5 ? { phone: this.pick(PHONES)! } : { first_name: this.pick(NAMES)!, notify_sms: this.random() < 0.5 };
        updateCustomer(deps, caller, id, patch as Parameters<typeof updateCustomer>[3]);
        return;
      }
      case 'forget': {
        const id = this.pick(this.customers());
        if (id) forgetCustomer(deps, caller, id);
        return;
      }
      case 'feedback':
        leaveFeedback(this.db, { tenantId: this.tenantId, actor: caller.actor, now: caller.now }, { ticketId: null, field: 'ticket' },
          { csat: 1 + Math.floor(this.random() * 5), comment: 'ok', tags: [] }, 'kiosk');
    }
  }

  close(): void {
    this.client.stop();
    this.db.sqlite.close();
  }
}

/** HQ edits a customer it knows (cloud side), winning identity and consent fields, or erases one. */
export async function hqEditsCustomer(cloud: TestCloud, tenantId: string, random: () => number): Promise<void> {
  const now = Date.now();
  await cloud.deps.cloud.withTenant(tenantId, async (trx) => {
    const rows = await trx.selectFrom('customer').select(['id', 'created_at']).where('merged_into', 'is', null).where('deleted', 'is', null).orderBy('id').execute();
    const row = rows[Math.floor(random() * rows.length)];
    if (!row) return;
    // Now and then HQ erases the customer instead (the right to be forgotten): every branch must follow.
    const forget = random() < 0.2;
    const values = forget ? {} : random() < 0.5 ? { first_name: NAMES[Math.floor(random() * NAMES.length)]! } : { notify_sms: random() < 0.5 ? 1 as const : 0 as const, phone: PHONES[Math.floor(random() * PHONES.length)]! };
    await applyCustomerChange(trx, tenantId, { id: row.id, tenant_id: tenantId, created_at: row.created_at, values, hlc: formatHlc(now, 0), deleted: forget }, 'hq:sim', true, now);
  });
}

export function isCrash(error: unknown): boolean {
  return error instanceof SimulatedCrash || (error as Error)?.name === 'SimulatedCrash';
}

/**
 * Heals every fault and syncs every branch until all is quiet: every outbox empty and every branch's
 * feed cursor at the cloud's head (a branch's push can add feed rows for the others: merges). When
 * the cloud's database is not readable here, quiet is a whole round that moved nothing either way.
 */
export async function healAndDrain(branches: readonly SimBranch[], maxRounds = 12): Promise<void> {
  for (const b of branches) {
    b.network.faults = { ...HEALTHY };
    b.crashAt = null;
  }
  for (const b of branches) await b.network.settle();
  const tenantId = branches[0]!.tenantId;
  const feedHead = branches[0]!.cloud.feedHead;
  for (let round = 0; round < maxRounds; round += 1) {
    let moved = false;
    for (const b of branches) {
      const outcome = await b.sync();
      if (outcome !== 'ok') throw new Error(`${b.name}: sync still failing after healing: ${b.client.status().last_error ?? outcome}`);
      if ((b.lastCycle?.pushed ?? 0) > 0 || (b.lastCycle?.pulled ?? 0) > 0) moved = true;
    }
    const drained = branches.every((b) => b.client.status().outbox_depth === 0);
    if (feedHead) {
      const head = await feedHead(tenantId);
      const cursor = (b: SimBranch) => Number(b.db.sqlite.prepare(`SELECT value FROM sync_state WHERE key = 'cursor'`).pluck().get());
      if (drained && branches.every((b) => cursor(b) === head)) return;
    } else if (drained && !moved) {
      return;
    }
  }
  throw new Error('branches did not converge');
}
