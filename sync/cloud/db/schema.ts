import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

/**
 * The cloud's tables (PostgreSQL). Column types are what the drivers return with the parsers set in
 * database.ts: bigint epoch ms as `number`, flags `0 | 1`, jsonb parsed, uuid as string.
 */
type Flag = 0 | 1;
type Json = Record<string, unknown>;

export interface CloudMetaTable { key: string; value: string }

export interface TenantTable {
  id: string; name: string; slug: string; plan: Generated<string>; locale: Generated<string>; timezone: Generated<string>;
  data_retention_days: Generated<number>; is_active: Generated<Flag>; created_at: number; updated_at: number;
}
export interface TenantFeedCounterTable { tenant_id: string; value: Generated<number>; pruned_through: Generated<number> }
export interface ChangeFeedTable {
  tenant_id: string; seq: number; entity: string; entity_id: string; op: 'upsert' | 'delete'; data: Json; created_at: number;
}
export interface SiteTable {
  id: string; tenant_id: string; name: string; slug: string; address: Generated<string>; city: Generated<string>;
  country: Generated<string>; latitude: number | null; longitude: number | null; timezone: string; phone: Generated<string>;
  is_active: Generated<Flag>; created_at: number; updated_at: number;
  /** HQ's opening hours for the site (the branch API's body shape); null: never set at HQ. */
  opening_hours: Generated<Json | null>;
}
export interface ServiceTable {
  id: string; tenant_id: string; name: string; code: Generated<string>; description: Generated<string>;
  sla_seconds: Generated<number>; priority_rules: Generated<string>; default_service_seconds: Generated<number>;
  is_active: Generated<Flag>; created_at: number; updated_at: number;
  /** HQ's booking rule for the service (the branch API's shape, every field); null: never set at HQ. */
  booking_rule: Generated<Json | null>;
}
export interface QueueTable {
  id: string; tenant_id: string; site_id: string; service_id: string; name: string; prefix: string;
  algorithm: Generated<'fifo' | 'priority' | 'sla'>; status: Generated<'open' | 'paused' | 'closed'>;
  weight: Generated<number>; max_capacity: Generated<number>; created_at: number; updated_at: number;
}
export interface AppUserTable {
  id: string; email: string; password_hash: string; first_name: Generated<string>; last_name: Generated<string>;
  phone: Generated<string>; is_active: Generated<Flag>; is_super_admin: Generated<Flag>; last_login_at: number | null;
  created_at: number; updated_at: number;
}
export type CloudRole = 'admin' | 'manager' | 'agent' | 'analyst';
export interface TenantMembershipTable {
  id: string; tenant_id: string; user_id: string; role: CloudRole; site_ids: Generated<string[]>;
  is_active: Generated<Flag>; created_at: number; updated_at: number;
}
export interface AgentQueueTable { tenant_id: string; user_id: string; queue_id: string }
export interface NotificationTemplateTable {
  id: string; tenant_id: string; key: string; channel: 'sms' | 'whatsapp' | 'email' | 'push'; language: Generated<string>;
  subject: Generated<string>; body: string; is_active: Generated<Flag>; created_at: number; updated_at: number;
}
export interface AuthSessionTable {
  id: string; user_id: string; refresh_hash: string; user_agent: Generated<string>; ip: Generated<string>;
  created_at: number; expires_at: number; revoked_at: number | null; previous_refresh_hash: string | null; refreshed_at: number | null;
}
export interface EnrollmentTokenTable {
  id: string; tenant_id: string; site_id: string; token_hash: string; created_by: string | null; created_at: number;
  expires_at: number; used_at: number | null; used_by_device: string | null; revoked_at: number | null;
}
export interface DeviceTable {
  id: string; tenant_id: string; site_id: string; name: string; public_key: string; app_version: Generated<string>;
  schema_version: Generated<number>; enrolled_at: number; revoked_at: number | null; stream_id: string | null;
  last_applied_seq: Generated<number>; duplicates_skipped: Generated<number>; rows_applied: Generated<number>;
  rows_rejected: Generated<number>; feed_cursor: Generated<number>; outbox_depth: Generated<number>;
  oldest_unsent_ms: number | null; clock_offset_ms: number | null; last_seen_at: number | null;
  last_push_at: number | null; last_pull_at: number | null;
  /** Newest verified backup of the branch database, as the branch last reported (0200). */
  last_backup_at: number | null; last_backup_ok: boolean | null;
  /** Printer and display alerts (DeviceAlert[]) and when they were reported (0450). */
  device_alerts: Generated<Json[]>; device_alerts_at: number | null;
}
export interface DeviceChallengeTable { nonce: string; device_id: string; expires_at: number }
export interface SyncDeadLetterTable {
  id: string; tenant_id: string; device_id: string; seq: number; mutation_id: string; entity: string; entity_id: string;
  payload: Json; error: string; created_at: number;
}
export interface TicketTable {
  id: string; tenant_id: string; site_id: string; device_id: string; queue_id: string; number: string; status: string;
  channel: string; priority: number; agent_id: string | null; customer_id: string | null; created_at: number;
  called_at: number | null; started_at: number | null; ended_at: number | null; updated_at: number;
  clock_offset_ms: number | null; received_at: number; data: Json;
}
export interface TicketEventTable {
  id: string; tenant_id: string; site_id: string; device_id: string; ticket_id: string; type: string; created_at: number;
  received_at: number; data: Json;
}
export interface FeedbackTable {
  id: string; tenant_id: string; site_id: string; device_id: string; ticket_id: string | null; customer_id: string | null;
  csat: number | null; nps: number | null; created_at: number; received_at: number; data: Json;
}
export interface AuditLogTable {
  id: string; tenant_id: string; site_id: string; device_id: string; branch_seq: number; action: string; entity: string;
  entity_id: string; created_at: number; prev_hash: string; hash: string; received_at: number; data: Json;
}
export interface AppointmentTable {
  id: string; tenant_id: string; site_id: string; device_id: string; service_id: string; customer_id: string | null;
  starts_at: number; status: string; updated_at: number; received_at: number; data: Json;
}
export interface CustomerTable {
  id: string; tenant_id: string; external_ref: string | null; first_name: string; last_name: string; phone: string;
  email: string; language: string; notify_sms: Flag; notify_email: Flag; notify_whatsapp: Flag; consents: string;
  tags: string; metadata: string; stamps: Json; deleted: Json | null; merged_into: string | null; hlc: string;
  created_at: number; updated_at: number;
}
export interface DaySummaryTable {
  id: string; tenant_id: string; site_id: string; device_id: string; business_date: string; sealed_at: number; received_at: number; data: Json;
}
/** Which cloud process holds a branch's relay socket (sync/cloud/relay). */
export interface RelayPresenceTable {
  site_id: string; tenant_id: string; device_id: string; instance_id: string; connected_at: number; seen_at: number;
}
/** A ticket joined through the cloud's public page, and the branch that holds it. */
export interface RelayTicketTable { public_id: string; tenant_id: string; site_id: string; created_at: number }
export interface CustomerKeyTable { tenant_id: string; key: string; customer_id: string }

export interface CloudSchema {
  cloud_meta: CloudMetaTable;
  tenant: TenantTable;
  tenant_feed_counter: TenantFeedCounterTable;
  change_feed: ChangeFeedTable;
  site: SiteTable;
  service: ServiceTable;
  queue: QueueTable;
  app_user: AppUserTable;
  tenant_membership: TenantMembershipTable;
  agent_queue: AgentQueueTable;
  notification_template: NotificationTemplateTable;
  auth_session: AuthSessionTable;
  enrollment_token: EnrollmentTokenTable;
  device: DeviceTable;
  device_challenge: DeviceChallengeTable;
  sync_dead_letter: SyncDeadLetterTable;
  ticket: TicketTable;
  ticket_event: TicketEventTable;
  feedback: FeedbackTable;
  audit_log: AuditLogTable;
  appointment: AppointmentTable;
  customer: CustomerTable;
  customer_key: CustomerKeyTable;
  day_summary: DaySummaryTable;
  relay_presence: RelayPresenceTable;
  relay_ticket: RelayTicketTable;
}

export type TenantRow = Selectable<TenantTable>;
export type SiteRow = Selectable<SiteTable>;
export type ServiceRow = Selectable<ServiceTable>;
export type QueueRow = Selectable<QueueTable>;
export type AppUserRow = Selectable<AppUserTable>;
export type MembershipRow = Selectable<TenantMembershipTable>;
export type TemplateRow = Selectable<NotificationTemplateTable>;
export type DeviceRow = Selectable<DeviceTable>;
export type CustomerRow = Selectable<CustomerTable>;
export type NewTenantRow = Insertable<TenantTable>;
export type DeviceRowUpdate = Updateable<DeviceTable>;
