import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export interface WebhookDeliveryTable {
  id: string;
  tenant_id: string;
  subscription_id: string;
  event: string;
  /** The event's own id: one delivery per (subscription, event). */
  event_id: string;
  payload: string;
  status: Generated<'pending' | 'delivered' | 'failed'>;
  attempts: Generated<number>;
  response_status: number | null;
  last_error: Generated<string>;
  created_at: number;
  delivered_at: number | null;
  updated_at: number;
}

export type WebhookDeliveryRow = Selectable<WebhookDeliveryTable>;
export type NewWebhookDeliveryRow = Insertable<WebhookDeliveryTable>;
export type WebhookDeliveryRowUpdate = Updateable<WebhookDeliveryTable>;
