import { z } from 'zod';
import { BookingRuleBody, OpeningHoursBody } from '../../branch-server/contract/appointments.contract.ts';

const Id = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be a UUID');
const Ms = z.number().int().min(0);
const Flag = z.union([z.literal(0), z.literal(1)]);

/** Branch-owned entities travel up; the cloud stores each row's full content. */
export const BRANCH_ENTITIES = ['ticket', 'ticket_event', 'feedback', 'audit_log', 'appointment', 'customer', 'day_summary'] as const;
export type BranchEntity = (typeof BRANCH_ENTITIES)[number];

/**
 * Upload payloads: the row as the branch stores it. Keys the cloud relies on are typed; the rest of
 * the row is kept as it came (the branch schema may grow between versions).
 */
export const TicketPayload = z.looseObject({
  id: Id, tenant_id: Id, site_id: Id, queue_id: Id, number: z.string().max(32), status: z.string().max(32),
  channel: z.string().max(32), priority: z.number().int(), created_at: Ms, updated_at: Ms,
  called_at: Ms.nullable(), started_at: Ms.nullable(), ended_at: Ms.nullable(),
  agent_id: Id.nullable(), customer_id: Id.nullable(),
});
export const TicketEventPayload = z.looseObject({
  id: Id, tenant_id: Id, ticket_id: Id, type: z.string().max(64), to_status: z.string().max(32), created_at: Ms,
});
export const FeedbackPayload = z.looseObject({
  id: Id, tenant_id: Id, ticket_id: Id.nullable(), customer_id: Id.nullable(),
  csat: z.number().int().min(1).max(5).nullable(), nps: z.number().int().min(0).max(10).nullable(), created_at: Ms,
});
export const AuditPayload = z.looseObject({
  id: Id, tenant_id: Id, action: z.string().max(64), entity: z.string().max(64), entity_id: z.string().max(64),
  created_at: Ms, prev_hash: z.string().regex(/^[0-9a-f]{64}$/), hash: z.string().regex(/^[0-9a-f]{64}$/),
});
export const AppointmentPayload = z.looseObject({
  id: Id, tenant_id: Id, site_id: Id, service_id: Id, customer_id: Id.nullable(),
  starts_at: Ms, ends_at: Ms, status: z.string().max(32), created_at: Ms, updated_at: Ms,
});
/** A site's sealed day (end-of-day summary): written once at closing time. */
export const DaySummaryPayload = z.looseObject({
  id: Id, tenant_id: Id, site_id: Id, business_date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/), sealed_at: Ms,
  tickets_issued: z.number().int().min(0), tickets_served: z.number().int().min(0), tickets_no_show: z.number().int().min(0),
  appointments_no_show: z.number().int().min(0),
});

/**
 * What erasing a customer (the right to be forgotten) clears on the branch-owned rows that named
 * them, identically at every branch and in the cloud, whichever learns of the erasure first: the
 * link and the personal fields copied onto the row. The rows stay for statistics.
 */
export const ERASED_CUSTOMER_SCRUB = {
  ticket: { customer_id: null, customer_name: '', customer_phone: '' },
  appointment: { customer_id: null, customer_name: '', customer_phone: '' },
  feedback: { customer_id: null, comment: '' },
} as const;

/** Customer fields, grouped by who wins a conflict (ARCHITECTURE §7). */
export const CUSTOMER_IDENTITY_FIELDS = ['external_ref', 'first_name', 'last_name'] as const;
export const CUSTOMER_CONSENT_FIELDS = ['notify_sms', 'notify_email', 'notify_whatsapp', 'consents'] as const;
export const CUSTOMER_CONTACT_FIELDS = ['phone', 'email', 'language', 'tags', 'metadata'] as const;
export const CUSTOMER_FIELDS = [...CUSTOMER_IDENTITY_FIELDS, ...CUSTOMER_CONSENT_FIELDS, ...CUSTOMER_CONTACT_FIELDS] as const;
export type CustomerField = (typeof CUSTOMER_FIELDS)[number];

export const CustomerValues = z.object({
  external_ref: z.string().max(128).nullable(),
  first_name: z.string().max(128),
  last_name: z.string().max(128),
  phone: z.string().max(32),
  email: z.string().max(254),
  language: z.string().max(8),
  notify_sms: Flag,
  notify_email: Flag,
  notify_whatsapp: Flag,
  consents: z.string().max(4096),
  tags: z.string().max(4096),
  metadata: z.string().max(16384),
});
export type CustomerValues = z.infer<typeof CustomerValues>;

/**
 * A customer change as it travels: which fields the writer changed, stamped with a hybrid logical
 * clock. Only changed fields compete, so two branches editing different fields both win.
 */
export const CustomerEdit = z.object({
  id: Id,
  tenant_id: Id,
  created_at: Ms,
  values: CustomerValues.partial(),
  hlc: z.string().regex(/^\d{15}:\d{6}$/, 'must be an HLC (ms:counter)'),
  deleted: z.boolean().default(false),
});
export type CustomerEdit = z.infer<typeof CustomerEdit>;

export const BRANCH_PAYLOADS = {
  ticket: TicketPayload,
  ticket_event: TicketEventPayload,
  feedback: FeedbackPayload,
  audit_log: AuditPayload,
  appointment: AppointmentPayload,
  customer: CustomerEdit,
  day_summary: DaySummaryPayload,
} as const satisfies Record<BranchEntity, z.ZodType>;

/** Reference entities travel down, cloud-owned, in this order (each only refers to earlier ones). */
export const REFERENCE_ENTITIES = [
  'tenant', 'site', 'service', 'queue', 'user', 'tenant_membership', 'agent_queues', 'notification_template', 'customer',
] as const;
export type ReferenceEntity = (typeof REFERENCE_ENTITIES)[number];

export const TenantRef = z.object({
  id: Id, name: z.string(), slug: z.string(), plan: z.string(), locale: z.string(), timezone: z.string(),
  data_retention_days: z.number().int(), is_active: Flag, created_at: Ms, updated_at: Ms,
});
/**
 * HQ-owned booking settings, in the branch API's own shapes: a site's opening hours (HH:MM, site
 * time) and a service's booking rule. Null or absent: HQ never set them, the branch keeps its own.
 */
export const OpeningHoursRef = OpeningHoursBody;
export const BookingRuleRef = BookingRuleBody.required();
export const SiteRef = z.object({
  id: Id, tenant_id: Id, name: z.string(), slug: z.string(), address: z.string(), city: z.string(), country: z.string(),
  latitude: z.number().nullable(), longitude: z.number().nullable(), timezone: z.string(), phone: z.string(),
  is_active: Flag, created_at: Ms, updated_at: Ms, opening_hours: OpeningHoursRef.nullable().optional(),
});
export const ServiceRef = z.object({
  id: Id, tenant_id: Id, name: z.string(), code: z.string(), description: z.string(), sla_seconds: z.number().int(),
  priority_rules: z.string(), default_service_seconds: z.number().int(), is_active: Flag, created_at: Ms, updated_at: Ms,
  booking_rule: BookingRuleRef.nullable().optional(),
});
export const QueueRef = z.object({
  id: Id, tenant_id: Id, site_id: Id, service_id: Id, name: z.string(), prefix: z.string(),
  algorithm: z.enum(['fifo', 'priority', 'sla']), status: z.enum(['open', 'paused', 'closed']),
  weight: z.number().int(), max_capacity: z.number().int(), created_at: Ms, updated_at: Ms,
});
/** Staff travel with their argon2id hash so agents can sign in at the branch while it is offline. */
export const UserRef = z.object({
  id: Id, email: z.string(), password_hash: z.string(), first_name: z.string(), last_name: z.string(), phone: z.string(),
  is_active: Flag, created_at: Ms, updated_at: Ms,
});
export const MembershipRef = z.object({
  id: Id, tenant_id: Id, user_id: Id, role: z.enum(['admin', 'manager', 'agent']), is_active: Flag, created_at: Ms, updated_at: Ms,
});
/** An agent's skills: the full set of queues a user serves (entity_id is the user id). */
export const AgentQueuesRef = z.object({ tenant_id: Id, user_id: Id, queue_ids: z.array(Id) });
export const TemplateRef = z.object({
  id: Id, tenant_id: Id, key: z.string(), channel: z.enum(['sms', 'whatsapp', 'email', 'push']), language: z.string(),
  subject: z.string(), body: z.string(), is_active: Flag, created_at: Ms, updated_at: Ms,
});
/** The merged customer as the cloud holds it; `merged_into` names the survivor of a duplicate. */
export const CustomerRef = CustomerValues.extend({
  id: Id, tenant_id: Id, created_at: Ms, updated_at: Ms, hlc: z.string(),
});

export const REFERENCE_ROWS = {
  tenant: TenantRef,
  site: SiteRef,
  service: ServiceRef,
  queue: QueueRef,
  user: UserRef,
  tenant_membership: MembershipRef,
  agent_queues: AgentQueuesRef,
  notification_template: TemplateRef,
  customer: CustomerRef,
} as const satisfies Record<ReferenceEntity, z.ZodType>;
export type ReferenceRow<E extends ReferenceEntity> = z.infer<(typeof REFERENCE_ROWS)[E]>;
