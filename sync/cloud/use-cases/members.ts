import type { z } from 'zod';
import { DomainError } from '../../../branch-server/domain/errors.ts';
import { uuidv7 } from '../../../branch-server/ids.ts';
import { hashPassword } from '../../../branch-server/http/passwords.ts';
import type {
  CreateHqMemberBody, HqMemberDto, HqMemberListQuery, UpdateHqMemberBody,
} from '../../protocol/hq-reference.contract.ts';
import type { CloudTx } from '../db/database.ts';
import { pageOf, type PageResult } from '../db/paginate.ts';
import type { CloudRole, MembershipRow } from '../db/schema.ts';
import type { HqCaller } from '../http/caller.ts';
import { holdsAdmin } from '../http/caller.ts';
import type { CloudDeps } from '../http/context.ts';
import { containsPattern, iso, isoOrNull } from './dto.ts';
import { recordChange } from './feed.ts';
import { invalidReference } from './queues.ts';
import { agentQueuesRef, toMembershipRef, toUserRef } from './reference-rows.ts';
import { addMember } from './tenants.ts';

type MemberRow = {
  id: string; email: string; first_name: string; last_name: string; last_login_at: number | null;
  role: CloudRole; is_active: 0 | 1; created_at: number; updated_at: number;
};

function memberQuery(trx: CloudTx, tenantId: string) {
  return trx.selectFrom('tenant_membership as m')
    .innerJoin('app_user as u', 'u.id', 'm.user_id')
    .select(['u.id', 'u.email', 'u.first_name', 'u.last_name', 'u.last_login_at', 'm.role', 'm.is_active', 'm.created_at', 'm.updated_at'])
    .where('m.tenant_id', '=', tenantId);
}

async function toMemberDtos(trx: CloudTx, tenantId: string, rows: MemberRow[]): Promise<HqMemberDto[]> {
  const ids = rows.map((r) => r.id);
  const skills = ids.length === 0 ? [] : await trx.selectFrom('agent_queue').select(['user_id', 'queue_id'])
    .where('tenant_id', '=', tenantId).where('user_id', 'in', ids).orderBy('queue_id').execute();
  return rows.map((r) => ({
    id: r.id, email: r.email, first_name: r.first_name, last_name: r.last_name, role: r.role, is_active: r.is_active === 1,
    queue_ids: skills.filter((s) => s.user_id === r.id).map((s) => s.queue_id),
    last_login_at: isoOrNull(r.last_login_at), created_at: iso(r.created_at), updated_at: iso(r.updated_at),
  }));
}

async function describeMember(trx: CloudTx, tenantId: string, userId: string): Promise<HqMemberDto> {
  const row = await memberQuery(trx, tenantId).where('m.user_id', '=', userId).executeTakeFirst();
  if (!row) throw new DomainError('not-found', 'Member not found.');
  return (await toMemberDtos(trx, tenantId, [row]))[0]!;
}

function assertMayGrantAdmin(caller: HqCaller, why: string): void {
  if (!holdsAdmin(caller)) throw new DomainError('missing-scope', `${why} needs the admin right (a tenant admin).`);
}

/** Replaces an agent's skills and tells the branches (the whole set travels, keyed by the user). */
async function replaceSkills(trx: CloudTx, tenantId: string, userId: string, queueIds: readonly string[], now: number): Promise<void> {
  if (queueIds.length > 0) {
    const found = new Set((await trx.selectFrom('queue').select('id').where('tenant_id', '=', tenantId).where('id', 'in', [...queueIds]).execute())
      .map((r) => r.id));
    const missing = queueIds.findIndex((id) => !found.has(id));
    if (missing >= 0) throw invalidReference(`queue_ids.${missing}`, 'unknown queue');
  }
  await trx.deleteFrom('agent_queue').where('tenant_id', '=', tenantId).where('user_id', '=', userId).execute();
  if (queueIds.length > 0) {
    await trx.insertInto('agent_queue').values(queueIds.map((queue_id) => ({ tenant_id: tenantId, user_id: userId, queue_id }))).execute();
  }
  await recordChange(trx, tenantId, { entity: 'agent_queues', entityId: userId, op: 'upsert', data: await agentQueuesRef(trx, tenantId, userId) }, now);
}

export async function listMembers(deps: CloudDeps, tenantId: string, query: z.infer<typeof HqMemberListQuery>): Promise<PageResult<HqMemberDto>> {
  return deps.cloud.withTenant(tenantId, (trx) => {
    let q = memberQuery(trx, tenantId);
    if (query.role) q = q.where('m.role', '=', query.role);
    if (query.is_active !== undefined) q = q.where('m.is_active', '=', query.is_active ? 1 : 0);
    if (query.queue) {
      const queue = query.queue;
      q = q.where((eb) => eb.exists(eb.selectFrom('agent_queue as aq').select('aq.user_id')
        .whereRef('aq.user_id', '=', 'm.user_id').where('aq.tenant_id', '=', tenantId).where('aq.queue_id', '=', queue)));
    }
    if (query.search) {
      const pattern = containsPattern(query.search);
      q = q.where((eb) => eb.or([eb('u.email', 'ilike', pattern), eb('u.first_name', 'ilike', pattern), eb('u.last_name', 'ilike', pattern)]));
    }
    return pageOf(q.orderBy('u.last_name').orderBy('u.first_name').orderBy('u.id'), query, (rows) => toMemberDtos(trx, tenantId, rows));
  });
}

export async function getMember(deps: CloudDeps, tenantId: string, userId: string): Promise<HqMemberDto> {
  return deps.cloud.withTenant(tenantId, (trx) => describeMember(trx, tenantId, userId));
}

/**
 * Adds a staff member: a new person (password hashed with argon2id before the transaction; the
 * hash travels to the branches so agents sign in there offline) or a former member coming back.
 * **Important**: a person already working for another tenant is refused rather than added: adding
 * them would send their password hash to this tenant's branches.
 */
export async function createMember(deps: CloudDeps, caller: HqCaller, body: z.infer<typeof CreateHqMemberBody>): Promise<HqMemberDto> {
  const { tenantId, now } = caller;
  if (body.role === 'admin') assertMayGrantAdmin(caller, 'Creating an admin');
  const existing = await deps.cloud.db.selectFrom('app_user').select('id')
    .where((eb) => eb(eb.fn('lower', ['email']), '=', body.email)).executeTakeFirst();
  const passwordHash = existing ? null : await hashPassword(body.password);
  return deps.cloud.withTenant(tenantId, async (trx) => {
    let userId: string;
    if (existing) {
      const membership = await trx.selectFrom('tenant_membership').select('is_active').where('tenant_id', '=', tenantId)
        .where('user_id', '=', existing.id).executeTakeFirst();
      if (!membership) {
        throw new DomainError('email-taken', `email: ${body.email} already has an account with another organisation; ask a platform admin.`,
          [{ field: 'email', message: 'belongs to another account' }]);
      }
      if (membership.is_active === 1) {
        throw new DomainError('email-taken', `email: ${body.email} is already a member of this tenant.`, [{ field: 'email', message: 'already a member' }]);
      }
      userId = existing.id;
    } else {
      userId = uuidv7(now);
      // No RETURNING: the new person is not visible to this tenant until the membership exists.
      await trx.insertInto('app_user').values({
        id: userId, email: body.email, password_hash: passwordHash!, first_name: body.first_name, last_name: body.last_name,
        created_at: now, updated_at: now,
      }).execute();
    }
    await addMember(trx, tenantId, userId, body.role, now);
    if (body.queue_ids !== undefined) await replaceSkills(trx, tenantId, userId, body.queue_ids, now);
    return describeMember(trx, tenantId, userId);
  });
}

/**
 * Changes a membership. Only an admin grants the admin role or changes an admin; the last active
 * admin is neither demoted nor deactivated. A member who becomes an analyst leaves the branches
 * (their membership is deleted there); one who stops being an analyst arrives with their user row.
 */
export async function updateMember(
  deps: CloudDeps, caller: HqCaller, userId: string, patch: z.infer<typeof UpdateHqMemberBody>,
): Promise<HqMemberDto> {
  const { tenantId, now } = caller;
  const renames = patch.first_name !== undefined || patch.last_name !== undefined;
  if (renames) await assertOnlyHere(deps, tenantId, userId);
  const dto = await deps.cloud.withTenant(tenantId, async (trx) => {
    const membership = await trx.selectFrom('tenant_membership').selectAll().where('tenant_id', '=', tenantId).where('user_id', '=', userId)
      .forUpdate().executeTakeFirst();
    if (!membership) throw new DomainError('not-found', 'Member not found.');
    if (patch.role === 'admin' && membership.role !== 'admin') assertMayGrantAdmin(caller, 'Granting the admin role');
    if (membership.role === 'admin' && (patch.role !== undefined || patch.is_active !== undefined)) assertMayGrantAdmin(caller, 'Changing an admin');
    const losesAdmin = membership.role === 'admin' && membership.is_active === 1
      && ((patch.role !== undefined && patch.role !== 'admin') || patch.is_active === false);
    if (losesAdmin && await activeAdmins(trx, tenantId) <= 1) {
      throw new DomainError('conflict', 'This is the last active admin of the tenant: make someone else admin first.');
    }

    const role = patch.role ?? membership.role;
    const isActive: 0 | 1 = patch.is_active === undefined ? membership.is_active : (patch.is_active ? 1 : 0);
    let after: MembershipRow = membership;
    if (role !== membership.role || isActive !== membership.is_active) {
      after = await trx.updateTable('tenant_membership').set({ role, is_active: isActive, updated_at: now })
        .where('id', '=', membership.id).returningAll().executeTakeFirstOrThrow();
    }
    let user = await trx.selectFrom('app_user').selectAll().where('id', '=', userId).executeTakeFirstOrThrow();
    if (renames) {
      user = await trx.updateTable('app_user').set({
        ...(patch.first_name === undefined ? {} : { first_name: patch.first_name }),
        ...(patch.last_name === undefined ? {} : { last_name: patch.last_name }),
        updated_at: now,
      }).where('id', '=', userId).returningAll().executeTakeFirstOrThrow();
    }

    const ref = toMembershipRef(after);
    const wasAtBranches = membership.role !== 'analyst';
    if (ref && (renames || !wasAtBranches)) {
      await recordChange(trx, tenantId, { entity: 'user', entityId: userId, op: 'upsert', data: toUserRef(user) }, now);
    }
    if (after !== membership) {
      if (ref) await recordChange(trx, tenantId, { entity: 'tenant_membership', entityId: after.id, op: 'upsert', data: ref }, now);
      else if (wasAtBranches) await recordChange(trx, tenantId, { entity: 'tenant_membership', entityId: after.id, op: 'delete', data: {} }, now);
    }
    if (patch.queue_ids !== undefined) await replaceSkills(trx, tenantId, userId, patch.queue_ids, now);
    return describeMember(trx, tenantId, userId);
  });
  if (patch.is_active === false) await endSessionsUnlessMemberElsewhere(deps, tenantId, userId, now);
  return dto;
}

export async function deactivateMember(deps: CloudDeps, caller: HqCaller, userId: string): Promise<void> {
  await updateMember(deps, caller, userId, { is_active: false });
}

async function activeAdmins(trx: CloudTx, tenantId: string): Promise<number> {
  const row = await trx.selectFrom('tenant_membership').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('tenant_id', '=', tenantId).where('role', '=', 'admin').where('is_active', '=', 1).executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * A person's name is theirs across tenants: one tenant's admin renaming someone who also works for
 * another tenant would change that tenant's data, so it is refused.
 */
async function assertOnlyHere(deps: CloudDeps, tenantId: string, userId: string): Promise<void> {
  // Not a member here: 404, and nothing said about other tenants.
  const here = await deps.cloud.db.selectFrom('tenant_membership').select('id').where('tenant_id', '=', tenantId).where('user_id', '=', userId)
    .executeTakeFirst();
  if (!here) throw new DomainError('not-found', 'Member not found.');
  const elsewhere = await deps.cloud.db.selectFrom('tenant_membership').select('id')
    .where('user_id', '=', userId).where('tenant_id', '!=', tenantId).executeTakeFirst();
  if (elsewhere) {
    throw new DomainError('conflict', 'This person also works for another organisation: their name can only be changed by a platform admin.');
  }
}

/** Effects after commit: a deactivated member's HQ sessions end unless they still belong to another tenant. */
async function endSessionsUnlessMemberElsewhere(deps: CloudDeps, tenantId: string, userId: string, now: number): Promise<void> {
  const other = await deps.cloud.db.selectFrom('tenant_membership').select('id').where('user_id', '=', userId)
    .where('tenant_id', '!=', tenantId).where('is_active', '=', 1).executeTakeFirst();
  const user = await deps.cloud.db.selectFrom('app_user').select('is_super_admin').where('id', '=', userId).executeTakeFirst();
  if (other || user?.is_super_admin === 1) return;
  await deps.cloud.db.updateTable('auth_session').set({ revoked_at: now }).where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
}
