import { randomBytes } from 'node:crypto';
import { qb, type Db } from '../db/sqlite.ts';
import { appendAudit, SYSTEM_ACTOR, type Actor } from '../db/repositories/audit.repository.ts';
import { appendOutbox } from '../db/repositories/outbox.repository.ts';
import { tickBranchHlc } from '../db/repositories/sync-state.repository.ts';
import type { CustomerEdit } from '../../sync/protocol/entities.ts';
import { DomainError } from '../domain/errors.ts';
import { uuidv7 } from '../ids.ts';
import { hashPassword } from '../http/passwords.ts';

export type CreateTenantInput = Readonly<{
  name: string;
  slug: string;
  adminEmail: string;
  adminPassword: string;
  withDemoData: boolean;
  timezone?: string;
}>;

export type CreatedTenant = Readonly<{
  tenantId: string;
  slug: string;
  adminUserId: string;
  demo: DemoData | null;
}>;

export type DemoData = Readonly<{
  siteId: string;
  services: { id: string; name: string }[];
  queues: { id: string; name: string; prefix: string }[];
  agents: { userId: string; email: string; password: string; counter: string }[];
  customers: string[];
}>;

const DEMO_SERVICES = [
  { name: 'Ouverture de compte', code: 'OUV', prefix: 'A', sla: 900, avg: 600, algorithm: 'fifo' as const },
  { name: 'Retrait', code: 'RET', prefix: 'B', sla: 300, avg: 180, algorithm: 'priority' as const },
  { name: 'Conseil', code: 'CON', prefix: 'C', sla: 1200, avg: 900, algorithm: 'sla' as const },
];

/**
 * SmartQueue v1's `create_tenant` command: tenant, admin and membership; with demo data a site in
 * Dakar, three services with their queues, three agents, two customers and two SMS templates.
 * Passwords are hashed before the transaction (argon2 must not run while holding the database).
 */
export async function createTenant(db: Db, input: CreateTenantInput, now: number, actor: Actor = SYSTEM_ACTOR): Promise<CreatedTenant> {
  const email = input.adminEmail.trim().toLowerCase();
  const adminHash = await hashPassword(input.adminPassword);
  // Random like the admin's: the appliance listens on the LAN, a guessable demo login is an open door.
  const agentPasswords = input.withDemoData ? [1, 2, 3].map(() => randomBytes(9).toString('base64url')) : [];
  const agentHashes = await Promise.all(agentPasswords.map(hashPassword));

  return db.tx(() => {
    if (db.first(qb.selectFrom('tenant').select('id').where('slug', '=', input.slug))) {
      throw new DomainError('slug-taken', `A tenant with slug "${input.slug}" already exists.`);
    }
    const tenantId = uuidv7(now);
    db.run(qb.insertInto('tenant').values({
      id: tenantId, name: input.name, slug: input.slug, timezone: input.timezone ?? 'Africa/Dakar',
      created_at: now, updated_at: now,
    }));
    let admin = db.first(qb.selectFrom('user').select('id').where('email', '=', email));
    if (!admin) {
      admin = { id: uuidv7(now) };
      db.run(qb.insertInto('user').values({
        id: admin.id, email, password_hash: adminHash, first_name: 'Admin', last_name: input.name,
        created_at: now, updated_at: now,
      }));
    }
    db.run(qb.insertInto('tenant_membership').values({
      id: uuidv7(now), tenant_id: tenantId, user_id: admin.id, role: 'admin', created_at: now, updated_at: now,
    }));
    appendAudit(db, actor, { tenantId, action: 'tenant.created', entity: 'tenant', entityId: tenantId, after: { name: input.name, slug: input.slug } }, now);

    const demo = input.withDemoData ? seedDemo(db, tenantId, input.slug, agentPasswords, agentHashes, now, actor) : null;
    return { tenantId, slug: input.slug, adminUserId: admin.id, demo };
  });
}

function seedDemo(
  db: Db, tenantId: string, slug: string, passwords: string[], hashes: string[], now: number, actor: Actor,
): DemoData {
  const siteId = uuidv7(now);
  db.run(qb.insertInto('site').values({
    id: siteId, tenant_id: tenantId, name: 'Agence Dakar Plateau', slug: 'dakar-plateau',
    address: 'Avenue Léopold Sédar Senghor', city: 'Dakar', country: 'SN',
    latitude: 14.6708, longitude: -17.4381, timezone: 'Africa/Dakar', phone: '+221 33 800 00 00',
    created_at: now, updated_at: now,
  }));
  const services: DemoData['services'] = [];
  const queues: DemoData['queues'] = [];
  for (const s of DEMO_SERVICES) {
    const serviceId = uuidv7(now);
    db.run(qb.insertInto('service').values({
      id: serviceId, tenant_id: tenantId, name: s.name, code: s.code, sla_seconds: s.sla,
      default_service_seconds: s.avg, created_at: now, updated_at: now,
    }));
    services.push({ id: serviceId, name: s.name });
    const queueId = uuidv7(now);
    db.run(qb.insertInto('queue').values({
      id: queueId, tenant_id: tenantId, site_id: siteId, service_id: serviceId, name: s.name,
      prefix: s.prefix, algorithm: s.algorithm, created_at: now, updated_at: now,
    }));
    queues.push({ id: queueId, name: s.name, prefix: s.prefix });
  }
  const agents: DemoData['agents'] = [];
  passwords.forEach((password, i) => {
    const userId = uuidv7(now);
    const email = `agent${i + 1}@${slug}.local`;
    const counter = `Guichet ${i + 1}`;
    db.run(qb.insertInto('user').values({
      id: userId, email, password_hash: hashes[i] ?? '', first_name: `Agent`, last_name: `${i + 1}`,
      created_at: now, updated_at: now,
    }));
    db.run(qb.insertInto('tenant_membership').values({
      id: uuidv7(now), tenant_id: tenantId, user_id: userId, role: 'agent', created_at: now, updated_at: now,
    }));
    db.run(qb.insertInto('agent_profile').values({
      id: uuidv7(now), tenant_id: tenantId, user_id: userId, counter_label: counter,
      status_changed_at: now, created_at: now, updated_at: now,
    }));
    // Agent 1 serves every queue; the others one queue each (skills).
    const skills = i === 0 ? queues : queues.slice(i, i + 1);
    for (const q of skills) db.run(qb.insertInto('agent_queue').values({ tenant_id: tenantId, user_id: userId, queue_id: q.id }));
    agents.push({ userId, email, password, counter });
  });
  const customers = [
    { first_name: 'Awa', last_name: 'Diop', phone: '+221770000001', email: 'awa.diop@example.sn', notify_sms: 1 as const },
    { first_name: 'Moussa', last_name: 'Ndiaye', phone: '+221770000002', email: 'moussa.ndiaye@example.sn', notify_sms: 0 as const },
  ].map((c) => {
    const id = uuidv7(now);
    const row = { id, tenant_id: tenantId, ...c, language: 'fr', created_at: now, updated_at: now };
    db.run(qb.insertInto('customer').values(row));
    const edit: CustomerEdit = { id, tenant_id: tenantId, created_at: now, values: c, hlc: tickBranchHlc(db, now), deleted: false };
    appendOutbox(db, { tenantId, entity: 'customer', entityId: id, op: 'insert', payload: edit }, now);
    return id;
  });
  for (const [key, body] of [
    ['ticket_created', 'SmartQueue: votre ticket {{ticket_number}} ({{queue_name}}). {{position}} personne(s) avant vous, environ {{eta_minutes}} min. Suivi : {{tracking_url}}'],
    ['ticket_called', 'SmartQueue: le ticket {{ticket_number}} est appelé au {{counter}}. Merci de vous présenter.'],
  ] as const) {
    db.run(qb.insertInto('notification_template').values({
      id: uuidv7(now), tenant_id: tenantId, key, channel: 'sms', language: 'fr', body, created_at: now, updated_at: now,
    }));
  }
  appendAudit(db, actor, { tenantId, action: 'tenant.demo_seeded', entity: 'tenant', entityId: tenantId, after: { site: siteId, queues: queues.length, agents: agents.length } }, now);
  return { siteId, services, queues, agents, customers };
}
