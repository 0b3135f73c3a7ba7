import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../../branch-server/db/repositories/audit.repository.ts';
import { Db, openSqlite } from '../../../branch-server/db/sqlite.ts';
import { BackupService } from '../../../branch-server/ops/backups.ts';
import { planRestore } from '../../../branch-server/ops/restore.ts';
import { enrollmentToken, seedCloudTenant, startTestCloud, type TestCloud } from '../../helpers/cloud.ts';
import { seedDemoTenant, startTestServer, type TestServer } from '../../helpers/server.ts';
import { hq } from '../../helpers/sync.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
const dirs: string[] = [];
const servers: TestServer[] = [];
let cloud: TestCloud | null = null;

afterAll(async () => {
  for (const s of servers) await s.close().catch(() => undefined);
  await cloud?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

/** `npm run restore -- <file> [args]` as a child process (the program the npm script runs). */
function restoreCli(dataDir: string, args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((done) => {
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir };
    delete env['SMARTQUEUE_CONFIG'];
    const child = spawn(process.execPath, ['--import', 'tsx', 'branch-server/cli/restore.ts', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { out += chunk.toString(); });
    child.on('close', (code) => done({ code, out }));
  });
}

describe('online backups', () => {
  it('a backup taken while tickets are being issued is a consistent database: integrity ok, complete audit chain, numbering and events intact', async () => {
    const t = await startTestServer({ dataDir: tempDir('sq-backup-') });
    servers.push(t);
    const d = await seedDemoTenant(t);
    const base = `/api/v1/tenants/${d.slug}`;
    let issuing = true;
    let issued = 0;
    const issuer = async (queue: string) => {
      while (issuing) {
        const res = await t.api('POST', `${base}/tickets/`, { token: d.adminToken, body: { queue, channel: 'kiosk' } });
        expect(res.status).toBe(201);
        issued += 1;
      }
    };
    const loops = d.demo.queues.map((q) => issuer(q.id));
    while (issued < 30) await new Promise((r) => setTimeout(r, 10));
    const taken = await t.api('POST', '/api/v1/backups/', { token: d.adminToken, body: {} });
    const second = await t.api('POST', '/api/v1/backups/', { token: d.adminToken, body: {} });
    issuing = false;
    await Promise.all(loops);
    expect(taken.status, JSON.stringify(taken.body)).toBe(201);
    expect(taken.body).toMatchObject({ kind: 'manual', ok: true, integrity: 'ok' });
    expect(second.body.ok).toBe(true);

    const file = join(t.dataDir, 'backups', taken.body.file);
    const copy = new Db(new Database(file, { readonly: true }));
    try {
      expect(copy.sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(copy.sqlite.pragma('foreign_key_check')).toEqual([]);
      // Every ticket in the copy came with its event, its audit row (the chain is whole) and its outbox row.
      expect(verifyAuditChain(copy)).toMatchObject({ ok: true });
      const tickets = copy.sqlite.prepare('SELECT count(*) FROM ticket').pluck().get() as number;
      expect(tickets).toBe(taken.body.tickets);
      expect(tickets).toBeGreaterThanOrEqual(30);
      expect(tickets).toBeLessThan(issued);
      expect(copy.sqlite.prepare(`SELECT count(*) FROM ticket t WHERE NOT EXISTS (SELECT 1 FROM ticket_event e WHERE e.ticket_id = t.id)`).pluck().get()).toBe(0);
      expect(copy.sqlite.prepare(`SELECT count(*) FROM ticket t WHERE NOT EXISTS (SELECT 1 FROM sync_outbox o WHERE o.entity = 'ticket' AND o.entity_id = t.id)`).pluck().get()).toBe(0);
      // The counters the next number comes from are at or past every number in the copy.
      expect(copy.sqlite.prepare(`SELECT count(*) FROM ticket t JOIN queue_counter c ON c.queue_id = t.queue_id AND c.business_date = t.business_date
        WHERE t.seq > c.last_seq`).pluck().get()).toBe(0);
    } finally {
      copy.sqlite.close();
    }

    const list = await t.api('GET', '/api/v1/backups/', { token: d.adminToken });
    expect(list.status).toBe(200);
    expect(list.body.results.map((r: { file: string }) => r.file)).toEqual([second.body.file, taken.body.file]);
    expect(list.body.last_good.file).toBe(second.body.file);
    const health = await t.api('GET', '/api/v1/health/');
    expect(health.body.checks.backups).toMatchObject({ status: 'ok', last_good_file: second.body.file });
    const agent = await t.api('POST', '/api/v1/backups/', { token: d.agentTokens[0], body: {} });
    expect(agent.status).toBe(403);
  });

  it('takes periodic backups every interval and one nightly, keeps N generations of each (fake clock)', async () => {
    const dir = tempDir('sq-backup-gen-');
    const sqlite = openSqlite(join(dir, 'branch.sqlite'));
    sqlite.exec('CREATE TABLE ticket (id TEXT PRIMARY KEY); INSERT INTO ticket VALUES (\'a\')');
    let clock = new Date(2026, 10, 30, 0, 30).getTime();
    const service = new BackupService(sqlite, { dir: join(dir, 'backups'), intervalMinutes: 15, nightlyHour: 2, keep: 2, keepNightly: 1 }, () => clock, pino({ level: 'silent' }));
    try {
      expect((await service.runDue())?.kind).toBe('periodic');
      expect(await service.runDue()).toBeNull();
      const kinds: (string | undefined)[] = [];
      for (let i = 0; i < 8; i += 1) {
        clock += 15 * 60_000;
        kinds.push((await service.runDue())?.kind);
      }
      // 00:45, 01:00, 01:15, 01:30, 01:45 periodic; 02:00 nightly (then periodic again).
      expect(kinds).toEqual(['periodic', 'periodic', 'periodic', 'periodic', 'periodic', 'nightly', 'periodic', 'periodic']);
      clock += 24 * 3_600_000;
      expect((await service.runDue())?.kind).toBe('nightly');
      const list = service.list();
      expect(list.filter((r) => r.kind === 'nightly')).toHaveLength(1);
      expect(list.filter((r) => r.kind === 'periodic')).toHaveLength(2);
      expect(list.every((r) => r.ok && r.integrity === 'ok' && r.tickets === 1)).toBe(true);
      // Pruned files are gone with their manifests.
      expect(readdirSync(join(dir, 'backups')).filter((f) => f.endsWith('.sqlite'))).toHaveLength(3);
    } finally {
      await service.stop();
      sqlite.close();
    }
  });
});

describe('restore', () => {
  it('refuses a damaged file and a running server, and restores only after confirmation', async () => {
    const dir = tempDir('sq-restore-refuse-');
    const bogus = join(dir, 'not-a-backup.sqlite');
    writeFileSync(bogus, 'this is not SQLite at all, just text pretending to be a database file'.repeat(100));
    await expect(planRestore(dir, bogus)).rejects.toThrow(/integrity check/);
    await expect(planRestore(dir, join(dir, 'missing.sqlite'))).rejects.toThrow(/No such file/);

    const t = await startTestServer({ dataDir: tempDir('sq-restore-running-') });
    servers.push(t);
    await seedDemoTenant(t);
    const backup = await t.server.deps.backups.take('manual');
    const file = join(t.dataDir, 'backups', backup.file);
    await expect(planRestore(t.dataDir, file)).rejects.toThrow(/stop it first/);
    await t.close();
    await expect(planRestore(t.dataDir, file)).resolves.toMatchObject({ check: { integrity: 'ok' } });
    // The command: without --yes and without a terminal to answer on, nothing changes.
    const unconfirmed = await restoreCli(t.dataDir, [file]);
    expect(unconfirmed.code, unconfirmed.out).toBe(2);
    expect(unconfirmed.out).toMatch(/--yes/);
    expect(existsSync(join(t.dataDir, 'pre-restore'))).toBe(false);
  });

  it('a branch restored from an old backup syncs again with nothing lost or duplicated at the cloud', async () => {
    cloud = await startTestCloud();
    const acme = await seedCloudTenant(cloud, 'acme');
    const queueId = await hq.queue(cloud, acme.tenantId, acme.siteId, await hq.service(cloud, acme.tenantId, 'Accounts'), 'A');
    await hq.member(cloud, acme.tenantId, 'agent@acme.test', 'agent-password-1', 'agent', [queueId]);
    const dataDir = tempDir('sq-restore-');
    // The loop syncs only when asked (each step below is explicit).
    const quiet = { sync: { loop: { intervalMs: 3_600_000, nudgeDelayMs: 3_600_000 } } };
    let t = await startTestServer({ dataDir, ...quiet });
    servers.push(t);
    await seedDemoTenant(t);
    await t.server.deps.sync.enroll(cloud.url, await enrollmentToken(cloud, acme.tenantId, acme.siteId));
    // The loop's own first cycle may be running (it joins it): a second cycle then sees every write.
    const sync = async () => {
      await t.server.deps.sync.client.syncOnce();
      await t.server.deps.sync.client.syncOnce();
      expect(t.server.deps.sync.status()).toMatchObject({ state: 'online', outbox_depth: 0 });
    };
    await sync();
    let token = await t.login(acme.adminEmail, acme.adminPassword);
    const numbers = new Map<string, string>();
    const issue = async () => {
      const res = await t.api('POST', '/api/v1/tenants/acme/tickets/', { token, body: { queue: queueId, channel: 'kiosk' } });
      expect(res.status).toBe(201);
      numbers.set(res.body.id as string, res.body.number as string);
      return res.body.id as string;
    };

    const uploaded = await issue();
    await sync();
    // In the backup's outbox, not uploaded yet when it is taken (the restored branch sends them again).
    const early = [await issue(), await issue(), await issue()];
    const backup = await t.server.deps.backups.take('periodic');
    // After the backup: more tickets, and one of the early ones is served and closed; all uploaded.
    const afterBackup = [await issue(), await issue()];
    await sync();
    const base = '/api/v1/tenants/acme';
    const agentToken = await t.login('agent@acme.test', 'agent-password-1');
    await t.api('PATCH', `${base}/agents/me/status/`, { token: agentToken, body: { status: 'available' } });
    for (const expected of [uploaded, early[0]]) {
      const called = await t.api('POST', `${base}/agents/call-next/`, { token: agentToken, body: { queue_id: queueId } });
      expect(called.body.id).toBe(expected);
      expect((await t.api('POST', `${base}/tickets/${expected}/start_service/`, { token: agentToken, body: {} })).status).toBe(200);
      expect((await t.api('POST', `${base}/tickets/${expected}/close/`, { token: agentToken, body: {} })).status).toBe(200);
    }
    await sync();
    await t.close();
    const restored = await restoreCli(dataDir, [join(dataDir, 'backups', backup.file), '--yes']);
    expect(restored.code, restored.out).toBe(0);
    expect(readdirSync(join(dataDir, 'pre-restore')).some((f) => f.endsWith('.sqlite'))).toBe(true);
    expect(restored.out).toMatch(/Ticket numbers go on after the last ones it issued/);

    t = await startTestServer({ dataDir, ...quiet });
    servers.push(t);
    token = await t.login(acme.adminEmail, acme.adminPassword);
    // The restored branch lost what happened after the backup; it carries on issuing.
    const afterRestore = [await issue(), await issue()];
    await sync();
    // The tickets printed after the backup (A005, A006) may still be in customers' hands: the restored
    // branch goes on after them instead of handing the same numbers out again.
    expect(afterBackup.map((id) => numbers.get(id))).toEqual(['A005', 'A006']);
    expect(afterRestore.map((id) => numbers.get(id))).toEqual(['A007', 'A008']);

    const rows = await cloud.db.db.selectFrom('ticket').select(['id', 'status']).where('site_id', '=', acme.siteId).execute();
    const expected = [uploaded, ...early, ...afterBackup, ...afterRestore];
    expect(rows.map((r) => r.id).sort()).toEqual([...expected].sort());
    // The cloud keeps the newer state of a ticket the old backup still had waiting (and sent again as waiting).
    expect(rows.find((r) => r.id === early[0])?.status).toBe('clos');
    const device = await cloud.db.db.selectFrom('device').select(['rows_rejected', 'last_backup_at']).where('site_id', '=', acme.siteId).executeTakeFirstOrThrow();
    expect(Number(device.rows_rejected)).toBe(0);
    // HQ sees the branch's newest verified backup (the one it was restored from, until the next).
    expect(Number(device.last_backup_at)).toBe(backup.started_at);
    expect(verifyAuditChain(t.server.deps.db)).toMatchObject({ ok: true });
    expect(t.server.deps.db.sqlite.prepare(`SELECT count(*) FROM audit_log WHERE action = 'backup.restored'`).pluck().get()).toBe(1);
  }, 120_000);
});
