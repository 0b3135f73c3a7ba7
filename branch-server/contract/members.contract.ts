import { z } from 'zod';
import {
  AgentStatus, IsoDateTime, NoContent, NullableIso, PageQuery, paginated, Role, TenantIdParams, TenantParams, Text, TicketStatus, Uuid,
} from './common.ts';
import { QueryBool, QuerySearch } from './fields.ts';
import { defineRoutes, scope } from './route.ts';

/** A person's id is their user id everywhere (members/, agents/, a ticket's `agent`). */
export const MemberDto = z.object({
  id: z.string(),
  email: z.string(),
  first_name: z.string(),
  last_name: z.string(),
  role: Role,
  is_active: z.boolean().describe('membership of this tenant'),
  queue_ids: z.array(z.string()).describe('queues this member serves as an agent (skills)'),
  counter: z.string().nullable().describe('counter label; null without an agent profile'),
  agent_status: AgentStatus.nullable(),
  last_login_at: NullableIso,
  created_at: IsoDateTime,
  updated_at: IsoDateTime,
});
export type MemberDto = z.infer<typeof MemberDto>;

const QueueIds = z.array(Uuid).max(100).transform((ids) => [...new Set(ids)]);
const Counter = Text(40);
const Name = Text(80);

export const CreateMemberBody = z.object({
  email: z.string().trim().toLowerCase().pipe(z.email('must be an e-mail address').max(254)),
  password: z.string().min(8, 'must be at least 8 characters').max(256),
  first_name: Name.default(''),
  last_name: Name.default(''),
  role: Role,
  queue_ids: QueueIds.optional(),
  counter: Counter.optional(),
}).strict();

export const UpdateMemberBody = z.object({
  first_name: Name,
  last_name: Name,
  role: Role,
  is_active: z.boolean(),
  queue_ids: QueueIds,
  counter: Counter,
}).partial().strict();

export const MemberListQuery = PageQuery.extend({
  role: Role.optional(),
  is_active: QueryBool.optional(),
  queue: Uuid.optional(),
  search: QuerySearch.optional(),
}).strict();

export const AgentDto = z.object({
  id: z.string(),
  email: z.string(),
  first_name: z.string(),
  last_name: z.string(),
  role: Role,
  status: AgentStatus,
  status_reason: z.string(),
  status_changed_at: IsoDateTime,
  counter: z.string(),
  queue_ids: z.array(z.string()),
  current_ticket: z.object({ id: z.string(), number: z.string(), status: TicketStatus, queue: z.string() }).nullable(),
});
export type AgentDto = z.infer<typeof AgentDto>;

export const AgentStatusDto = z.object({
  user_id: z.string(),
  status: AgentStatus,
  status_reason: z.string(),
  counter: z.string(),
  status_changed_at: IsoDateTime,
});

export const SetAgentStatusBody = z.object({
  status: z.enum(['available', 'busy', 'paused']),
  reason: Text(200).optional(),
  counter: Counter.optional(),
}).strict();

export const AgentListQuery = PageQuery.extend({
  status: AgentStatus.optional(),
  queue: Uuid.optional(),
}).strict();

export const memberRoutes = defineRoutes({
  listMembers: {
    method: 'get', path: '/api/v1/tenants/:slug/members/', tag: 'members', access: scope('read:agent'),
    summary: 'List the staff of the tenant (filters: role, is_active, queue, search)',
    params: TenantParams, query: MemberListQuery, response: paginated(MemberDto),
  },
  createMember: {
    method: 'post', path: '/api/v1/tenants/:slug/members/', tag: 'members', access: scope('manage:agent'), hqOwned: true, status: 201,
    summary: 'Add a staff member: the user (or the existing user of that e-mail, password unchanged), the membership and, for agents or when queue_ids is given, the agent profile and skills. Creating an admin needs manage:settings',
    params: TenantParams, body: CreateMemberBody, response: MemberDto,
  },
  getMember: {
    method: 'get', path: '/api/v1/tenants/:slug/members/:id/', tag: 'members', access: scope('read:agent'),
    summary: 'One staff member (by user id)', params: TenantIdParams, response: MemberDto,
  },
  updateMember: {
    method: 'patch', path: '/api/v1/tenants/:slug/members/:id/', tag: 'members', access: scope('manage:agent'),
    summary: 'Change role, activity, skills (queue_ids), counter or names. Only admins grant or change the admin role; the last active admin stays',
    params: TenantIdParams, body: UpdateMemberBody, response: MemberDto,
  },
  deleteMember: {
    method: 'delete', path: '/api/v1/tenants/:slug/members/:id/', tag: 'members', access: scope('manage:agent'), hqOwned: true, status: 204,
    summary: 'Deactivate a membership (history keeps the person); their sessions end unless they belong to another tenant',
    params: TenantIdParams, response: NoContent,
  },
});

export const agentRoutes = defineRoutes({
  listAgents: {
    method: 'get', path: '/api/v1/tenants/:slug/agents/', tag: 'agents', access: scope('read:agent'),
    summary: 'Agents with their status, counter, queues and current ticket (filters: status, queue)',
    params: TenantParams, query: AgentListQuery, response: paginated(AgentDto),
  },
  myAgentProfile: {
    method: 'get', path: '/api/v1/tenants/:slug/agents/me/', tag: 'agents', access: scope(null),
    summary: "The signed-in member's agent profile (404 without one)", params: TenantParams, response: AgentDto,
  },
  setAgentStatus: {
    method: 'post', path: '/api/v1/tenants/:slug/agents/set-status/', tag: 'agents', access: scope('write:queue'),
    summary: 'The signed-in agent sets their status (available, busy, paused with a reason) and optionally their counter. Pausing while holding a ticket is allowed: the ticket stays with the agent',
    params: TenantParams, body: SetAgentStatusBody, response: AgentStatusDto,
  },
});
