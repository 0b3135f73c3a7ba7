import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export interface AuditLogTable {
  seq: Generated<number>;
  id: string;
  tenant_id: string;
  actor_user_id: string | null;
  actor_device_id: string | null;
  action: string;
  entity: string;
  entity_id: string;
  before: string | null;
  after: string | null;
  ip: Generated<string>;
  user_agent: Generated<string>;
  endpoint: Generated<string>;
  created_at: number;
  prev_hash: string;
  hash: string;
  /** sha256 of `before` as written, kept when the row is redacted (the chain hashes the digest). */
  before_digest: Generated<string | null>;
  after_digest: Generated<string | null>;
  /** When retention or erasure looked at the row (and removed any personal data from `before`/`after`); null: as written. */
  redacted_at: Generated<number | null>;
}

export type AuditLogRow = Selectable<AuditLogTable>;
export type NewAuditLogRow = Insertable<AuditLogTable>;
export type AuditLogRowUpdate = Updateable<AuditLogTable>;
