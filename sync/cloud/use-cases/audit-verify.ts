import { GENESIS_HASH, hashAuditRow } from '../../../branch-server/db/repositories/audit.repository.ts';
import type { CloudTx } from '../db/database.ts';
import type { CloudDeps } from '../http/context.ts';

const CHUNK = 2000;

export type BranchChain = Readonly<{
  branch: string; name: string; site: string; ok: boolean; rows: number;
  broken_at_seq: number | null; broken_id: string | null; reason: string | null;
}>;
export type ChainReport = Readonly<{ ok: boolean; rows: number; broken_at_seq: number | null; branches: BranchChain[] }>;

type Stored = {
  id: string; branch_seq: number; action: string; entity: string; entity_id: string; created_at: number;
  prev_hash: string; hash: string; data: Record<string, unknown>;
};

/** The row the branch hashed, rebuilt from what it uploaded: the branch's canonical fields, nothing of the cloud's. */
function chained(data: Record<string, unknown>): Parameters<typeof hashAuditRow>[0] {
  return {
    id: data['id'], tenant_id: data['tenant_id'], actor_user_id: data['actor_user_id'], actor_device_id: data['actor_device_id'],
    action: data['action'], entity: data['entity'], entity_id: data['entity_id'], before: data['before'], after: data['after'],
    ip: data['ip'], user_agent: data['user_agent'], endpoint: data['endpoint'], created_at: data['created_at'], prev_hash: data['prev_hash'],
    // A row redacted at the branch (retention, erasure) carries the digests of what it held.
    before_digest: data['before_digest'] ?? null, after_digest: data['after_digest'] ?? null,
  } as Parameters<typeof hashAuditRow>[0];
}

/** What is wrong with one stored row given the hash before it, or null when it holds. */
function checkRow(row: Stored, prev: string | null, startHashes: ReadonlySet<string>): string | null {
  const data = row.data;
  const columns: [keyof Stored, unknown][] = [
    ['id', data['id']], ['action', data['action']], ['entity', data['entity']], ['entity_id', data['entity_id']],
    ['created_at', data['created_at']], ['prev_hash', data['prev_hash']], ['hash', data['hash']],
  ];
  for (const [column, uploaded] of columns) {
    if (row[column] !== uploaded) return `${column} differs from the uploaded row`;
  }
  if (prev === null) {
    if (row.prev_hash !== GENESIS_HASH && !startHashes.has(row.prev_hash)) return 'the chain starts after rows that are missing';
  } else if (row.prev_hash !== prev) {
    return 'prev_hash does not link to the row before it (a row is missing or was changed)';
  }
  if (hashAuditRow(chained(data)) !== row.hash) return 'hash does not match the row content';
  return null;
}

/**
 * Recomputes each branch device's audit hash chain from the rows it uploaded, in upload (branch_seq)
 * order, exactly as the branch computes it. A chain starts at the genesis hash, or, for a branch
 * enrolled again under a new device, at the last hash another device of the same site uploaded.
 */
export async function verifyAuditChains(deps: CloudDeps, tenantId: string, siteId: string | undefined): Promise<ChainReport> {
  return deps.cloud.withTenant(tenantId, async (trx) => {
    let devices = trx.selectFrom('device').select(['id', 'name', 'site_id']).where('tenant_id', '=', tenantId);
    if (siteId) devices = devices.where('site_id', '=', siteId);
    const branches: BranchChain[] = [];
    for (const device of await devices.orderBy('enrolled_at').orderBy('id').execute()) {
      branches.push(await verifyDevice(trx, tenantId, device));
    }
    const firstBroken = branches.find((b) => !b.ok);
    return {
      ok: firstBroken === undefined,
      rows: branches.reduce((n, b) => n + b.rows, 0),
      broken_at_seq: firstBroken?.broken_at_seq ?? null,
      branches,
    };
  });
}

async function verifyDevice(trx: CloudTx, tenantId: string, device: { id: string; name: string; site_id: string }): Promise<BranchChain> {
  const base = { branch: device.id, name: device.name, site: device.site_id };
  const startHashes = await continuationHashes(trx, tenantId, device);
  let prev: string | null = null;
  let rows = 0;
  let after = -1;
  for (;;) {
    const chunk: Stored[] = await trx.selectFrom('audit_log')
      .select(['id', 'branch_seq', 'action', 'entity', 'entity_id', 'created_at', 'prev_hash', 'hash', 'data'])
      .where('tenant_id', '=', tenantId).where('device_id', '=', device.id).where('branch_seq', '>', after)
      .orderBy('branch_seq').limit(CHUNK).execute();
    for (const row of chunk) {
      rows += 1;
      const reason = checkRow(row, prev, startHashes);
      if (reason) return { ...base, ok: false, rows, broken_at_seq: row.branch_seq, broken_id: row.id, reason };
      prev = row.hash;
      after = row.branch_seq;
    }
    if (chunk.length < CHUNK) return { ...base, ok: true, rows, broken_at_seq: null, broken_id: null, reason: null };
  }
}

/** The last hash of each other device of the same site: where a re-enrolled branch's chain may go on. */
async function continuationHashes(trx: CloudTx, tenantId: string, device: { id: string; site_id: string }): Promise<Set<string>> {
  const rows = await trx.selectFrom('audit_log as a').select('a.hash')
    .where('a.tenant_id', '=', tenantId).where('a.site_id', '=', device.site_id).where('a.device_id', '!=', device.id)
    .where((eb) => eb('a.branch_seq', '=', eb.selectFrom('audit_log as b').select((e) => e.fn.max('b.branch_seq').as('m'))
      .whereRef('b.device_id', '=', 'a.device_id').where('b.tenant_id', '=', tenantId)))
    .execute();
  return new Set(rows.map((r) => r.hash));
}
