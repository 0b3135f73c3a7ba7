import { qb } from '../../../branch-server/db/sqlite.ts';
import { randomToken, sha256 } from '../../../branch-server/http/secrets.ts';
import { uuidv7 } from '../../../branch-server/ids.ts';
import type { DemoTenant, TestServer } from '../../helpers/server.ts';

/** A display row, written directly (as the displays API would). `queueIds` empty = every queue. */
export function insertDisplay(t: TestServer, d: DemoTenant, queueIds: string[], name = 'Hall TV'): string {
  const now = Date.now();
  const id = uuidv7(now);
  t.server.deps.db.run(qb.insertInto('display').values({
    id, tenant_id: d.tenantId, site_id: d.demo.siteId, name, type: 'main', queue_ids: JSON.stringify(queueIds),
    created_at: now, updated_at: now,
  }));
  return id;
}

/** A paired device and its key (only the key's hash is stored, as pairing does). */
export function insertDevice(t: TestServer, d: DemoTenant, type: 'display' | 'kiosk' | 'print_agent', displayId: string | null = null): string {
  const now = Date.now();
  const key = randomToken('dk_');
  t.server.deps.db.run(qb.insertInto('device').values({
    id: uuidv7(now), tenant_id: d.tenantId, type, name: `${type} device`, display_id: displayId, kiosk_id: null,
    key_hash: sha256(key), paired_at: now, created_at: now, updated_at: now,
    pairing_code_hash: null, pairing_expires_at: null, revoked_at: null, last_seen_at: null, created_by: null,
  }));
  return key;
}

/** The HTTP routes the tests drive tickets through (contract/tickets.contract.ts). */
export function ticketApi(t: TestServer, d: DemoTenant) {
  const base = `/api/v1/tenants/${d.slug}`;
  const ok = async (method: string, path: string, token: string, body?: unknown) => {
    const res = await t.api(method, `${base}${path}`, { token, body: body ?? {} });
    if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  return {
    create: (queue: string, token = d.adminToken) => ok('POST', '/tickets/', token, { queue, channel: 'kiosk' }),
    callNext: (token: string, queueId?: string) => ok('POST', '/agents/call-next/', token, queueId ? { queue_id: queueId } : {}),
    act: (id: string, action: string, token: string, body?: unknown) => ok('POST', `/tickets/${id}/${action}/`, token, body),
  };
}
