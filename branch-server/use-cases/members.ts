import type { MemberDto } from '../contract/members.contract.ts';
import { appendAudit } from '../db/repositories/audit.repository.ts';
import { qb, type Db } from '../db/sqlite.ts';
import type { AgentProfileRow } from '../db/tables/agent-profile.table.ts';
import type { TenantMembershipRow } from '../db/tables/tenant-membership.table.ts';
import { DomainError } from '../domain/errors.ts';
import { hasScope, scopesForRole, type Role } from '../domain/rbac.ts';
import { hashPassword } from '../http/passwords.ts';
import { uuidv7 } from '../ids.ts';
import { agentPayload, setAgentStatus } from './agent-profile.ts';
import type { Caller, UseCaseDeps } from './deps.ts';
import type { DomainEvent } from './events.ts';
import { assertReferences } from './references.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

type MemberJoin = Readonly<{
  id: string; email: string; first_name: string; last_name: string; last_login_at: number | null;
  role: Role; is_active: 0 | 1; created_at: number; updated_at: number;
  counter_label: string | null; agent_status: AgentProfileRow['status'] | null;
}>;

/** Members joined with their user and agent profile; never selects the password hash. */
export function memberQuery(tenantId: string) {
  return qb.selectFrom('tenant_membership')
    .innerJoin('user', 'user.id', 'tenant_membership.user_id')
    .leftJoin('agent_profile', (j) => j.onRef('agent_profile.user_id', '=', 'tenant_membership.user_id').onRef('agent_profile.tenant_id', '=', 'tenant_membership.tenant_id'))
    .select([
      'user.id', 'user.email', 'user.first_name', 'user.last_name', 'user.last_login_at',
      'tenant_membership.role', 'tenant_membership.is_active', 'tenant_membership.created_at', 'tenant_membership.updated_at',
      'agent_profile.counter_label', 'agent_profile.status as agent_status',
    ])
    .where('tenant_membership.tenant_id', '=', tenantId);
}

/** Skills (queue ids) of several users at once, for a page of members or agents. */
export function skillsOf(db: Db, tenantId: string, userIds: readonly string[]): Map<string, string[]> {
  const skills = new Map<string, string[]>(userIds.map((id) => [id, []]));
  if (userIds.length === 0) return skills;
  for (const row of db.all(qb.selectFrom('agent_queue').select(['user_id', 'queue_id']).where('tenant_id', '=', tenantId).where('user_id', 'in', [...userIds]).orderBy('queue_id'))) {
    skills.get(row.user_id)?.push(row.queue_id);
  }
  return skills;
}

export function toMemberDtos(db: Db, tenantId: string, rows: readonly MemberJoin[]): MemberDto[] {
  const skills = skillsOf(db, tenantId, rows.map((r) => r.id));
  return rows.map((r) => ({
    id: r.id, email: r.email, first_name: r.first_name, last_name: r.last_name, role: r.role,
    is_active: r.is_active === 1, queue_ids: skills.get(r.id) ?? [], counter: r.counter_label, agent_status: r.agent_status,
    last_login_at: iso(r.last_login_at), created_at: new Date(r.created_at).toISOString(), updated_at: new Date(r.updated_at).toISOString(),
  }));
}

export function describeMember(db: Db, tenantId: string, userId: string): MemberDto {
  const row = db.first(memberQuery(tenantId).where('tenant_membership.user_id', '=', userId));
  if (!row) throw new DomainError('not-found', 'Member not found.');
  return toMemberDtos(db, tenantId, [row])[0]!;
}

function assertMayGrantAdmin(caller: Caller, why: string): void {
  if (!caller.role || !hasScope(scopesForRole(caller.role), 'manage:settings')) {
    throw new DomainError('missing-scope', `${why} needs the manage:settings scope (an admin).`);
  }
}

function ensureProfile(db: Db, tenantId: string, userId: string, counter: string | undefined, now: number): AgentProfileRow {
  const existing = db.first(qb.selectFrom('agent_profile').selectAll().where('tenant_id', '=', tenantId).where('user_id', '=', userId));
  if (existing) return existing;
  const row: AgentProfileRow = {
    id: uuidv7(now), tenant_id: tenantId, user_id: userId, status: 'available', status_reason: '',
    counter_label: counter ?? '', rr_state: '{}', status_changed_at: now, created_at: now, updated_at: now,
  };
  db.run(qb.insertInto('agent_profile').values(row));
  return row;
}

function replaceSkills(db: Db, tenantId: string, userId: string, queueIds: readonly string[]): void {
  db.run(qb.deleteFrom('agent_queue').where('tenant_id', '=', tenantId).where('user_id', '=', userId));
  for (const queueId of queueIds) db.run(qb.insertInto('agent_queue').values({ tenant_id: tenantId, user_id: userId, queue_id: queueId }));
}

export type CreateMemberInput = Readonly<{
  email: string; password: string; first_name: string; last_name: string; role: Role;
  queue_ids?: readonly string[] | undefined; counter?: string | undefined;
}>;

/**
 * Adds a staff member. A new e-mail creates the user (argon2id, hashed before the transaction: it
 * must not hold the database); an e-mail that already has a user (a member of another tenant) only
 * gains a membership here, and keeps its password and names. Agents, and anyone given queue_ids,
 * get an agent profile and skills.
 */
export async function createMember(deps: UseCaseDeps, caller: Caller, input: CreateMemberInput): Promise<MemberDto> {
  const { db } = deps;
  const { now } = caller;
  if (input.role === 'admin') assertMayGrantAdmin(caller, 'Adding an admin');
  const known = db.first(qb.selectFrom('user').select('id').where('email', '=', input.email));
  const passwordHash = known ? null : await hashPassword(input.password);

  const userId = db.tx(() => {
    let user = db.first(qb.selectFrom('user').select('id').where('email', '=', input.email));
    if (user && db.first(qb.selectFrom('tenant_membership').select('id').where('tenant_id', '=', caller.tenantId).where('user_id', '=', user.id))) {
      throw new DomainError('email-taken', `email: ${input.email} is already a member of this tenant (reactivate them with is_active: true if needed).`,
        [{ field: 'email', message: 'already a member of this tenant' }]);
    }
    assertReferences(db, 'queue', caller.tenantId, input.queue_ids ?? [], 'queue_ids');
    if (!user) {
      // Only possible if the user appeared between the check and the transaction, with a hash made.
      if (passwordHash === null) throw new DomainError('conflict', 'The user changed during the request; try again.');
      user = { id: uuidv7(now) };
      db.run(qb.insertInto('user').values({
        id: user.id, email: input.email, password_hash: passwordHash, first_name: input.first_name, last_name: input.last_name,
        created_at: now, updated_at: now,
      }));
    }
    db.run(qb.insertInto('tenant_membership').values({
      id: uuidv7(now), tenant_id: caller.tenantId, user_id: user.id, role: input.role, created_at: now, updated_at: now,
    }));
    if (input.role === 'agent' || input.queue_ids !== undefined) {
      ensureProfile(db, caller.tenantId, user.id, input.counter, now);
      replaceSkills(db, caller.tenantId, user.id, input.queue_ids ?? []);
    }
    appendAudit(db, caller.actor, {
      tenantId: caller.tenantId, action: 'member.created', entity: 'member', entityId: user.id,
      after: { email: input.email, role: input.role, queue_ids: input.queue_ids ?? [], counter: input.counter ?? null, existing_user: passwordHash === null },
    }, now);
    return user.id;
  });
  return describeMember(db, caller.tenantId, userId);
}

export type UpdateMemberInput = Readonly<{
  first_name?: string | undefined; last_name?: string | undefined; role?: Role | undefined; is_active?: boolean | undefined;
  queue_ids?: readonly string[] | undefined; counter?: string | undefined;
}>;

function activeAdminCount(db: Db, tenantId: string): number {
  return db.first(qb.selectFrom('tenant_membership').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('tenant_id', '=', tenantId).where('role', '=', 'admin').where('is_active', '=', 1))?.n ?? 0;
}

/**
 * Changes a membership. Rules: only an admin grants the admin role or changes an admin; the last
 * active admin can be neither demoted nor deactivated (the tenant would be locked out of its
 * settings). A deactivated member's agent profile goes offline (ETAs stop counting them) and, when
 * they belong to no other tenant, their sessions end at once.
 */
export function updateMember(deps: UseCaseDeps, caller: Caller, userId: string, input: UpdateMemberInput, action = 'member.updated'): MemberDto {
  const { db } = deps;
  const { now } = caller;
  const events: DomainEvent[] = [];
  db.tx(() => {
    const membership: TenantMembershipRow | undefined = db.first(qb.selectFrom('tenant_membership').selectAll().where('tenant_id', '=', caller.tenantId).where('user_id', '=', userId));
    if (!membership) throw new DomainError('not-found', 'Member not found.');
    const before = describeMember(db, caller.tenantId, userId);
    if (input.role === 'admin' && membership.role !== 'admin') assertMayGrantAdmin(caller, 'Granting the admin role');
    if (membership.role === 'admin' && (input.role !== undefined || input.is_active !== undefined)) assertMayGrantAdmin(caller, 'Changing an admin');
    const losesAdmin = membership.role === 'admin' && membership.is_active === 1 && ((input.role !== undefined && input.role !== 'admin') || input.is_active === false);
    if (losesAdmin && activeAdminCount(db, caller.tenantId) <= 1) {
      throw new DomainError('conflict', 'This is the last active admin of the tenant: make someone else admin first.');
    }
    assertReferences(db, 'queue', caller.tenantId, input.queue_ids ?? [], 'queue_ids');

    const role = input.role ?? membership.role;
    const isActive = input.is_active === undefined ? membership.is_active : (input.is_active ? 1 : 0);
    if (role !== membership.role || isActive !== membership.is_active) {
      db.run(qb.updateTable('tenant_membership').set({ role, is_active: isActive, updated_at: now }).where('id', '=', membership.id));
    }
    if (input.first_name !== undefined || input.last_name !== undefined) {
      db.run(qb.updateTable('user').set({
        ...(input.first_name === undefined ? {} : { first_name: input.first_name }),
        ...(input.last_name === undefined ? {} : { last_name: input.last_name }),
        updated_at: now,
      }).where('id', '=', userId));
    }
    const needsProfile = (role === 'agent' && membership.role !== 'agent') || input.queue_ids !== undefined || input.counter !== undefined;
    let profile = needsProfile ? ensureProfile(db, caller.tenantId, userId, input.counter, now)
      : db.first(qb.selectFrom('agent_profile').selectAll().where('tenant_id', '=', caller.tenantId).where('user_id', '=', userId));
    if (profile && input.counter !== undefined && input.counter !== profile.counter_label) {
      db.run(qb.updateTable('agent_profile').set({ counter_label: input.counter, updated_at: now }).where('id', '=', profile.id));
      profile = { ...profile, counter_label: input.counter, updated_at: now };
      events.push({ kind: 'agent', tenantId: caller.tenantId, tenantSlug: caller.tenantSlug, agentId: userId, payload: agentPayload(profile) });
    }
    if (input.queue_ids !== undefined) replaceSkills(db, caller.tenantId, userId, input.queue_ids);
    if (isActive === 0 && membership.is_active === 1) {
      if (profile && profile.status !== 'offline') {
        profile = setAgentStatus(db, profile, 'offline', now);
        events.push({ kind: 'agent', tenantId: caller.tenantId, tenantSlug: caller.tenantSlug, agentId: userId, payload: agentPayload(profile) });
      }
      const elsewhere = db.first(qb.selectFrom('tenant_membership').select('id').where('user_id', '=', userId).where('is_active', '=', 1).where('tenant_id', '!=', caller.tenantId));
      if (!elsewhere) db.run(qb.updateTable('auth_session').set({ revoked_at: now }).where('user_id', '=', userId).where('revoked_at', 'is', null));
    }
    const after = describeMember(db, caller.tenantId, userId);
    const keys = (['first_name', 'last_name', 'role', 'is_active', 'queue_ids', 'counter'] as const)
      .filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
    if (keys.length > 0) {
      appendAudit(db, caller.actor, {
        tenantId: caller.tenantId, action, entity: 'member', entityId: userId,
        before: Object.fromEntries(keys.map((k) => [k, before[k]])), after: Object.fromEntries(keys.map((k) => [k, after[k]])),
      }, now);
    }
  });
  deps.events.publish(events);
  return describeMember(db, caller.tenantId, userId);
}
