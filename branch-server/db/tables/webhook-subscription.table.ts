import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export interface WebhookSubscriptionTable {
  id: string;
  tenant_id: string;
  url: string;
  /** JSON array of event names. */
  events: string;
  /** AES-256-GCM ciphertext of the signing secret. */
  secret: Buffer;
  description: Generated<string>;
  is_active: Generated<0 | 1>;
  created_at: number;
  updated_at: number;
}

export type WebhookSubscriptionRow = Selectable<WebhookSubscriptionTable>;
export type NewWebhookSubscriptionRow = Insertable<WebhookSubscriptionTable>;
export type WebhookSubscriptionRowUpdate = Updateable<WebhookSubscriptionTable>;
