import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export interface FeedbackTable {
  id: string;
  tenant_id: string;
  ticket_id: string | null;
  customer_id: string | null;
  csat: number | null;
  nps: number | null;
  nps_category: 'promoter' | 'passive' | 'detractor' | null;
  wait_rating: number | null;
  service_rating: number | null;
  comment: Generated<string>;
  tags: Generated<string>;
  channel: Generated<string>;
  created_at: number;
}

export type FeedbackRow = Selectable<FeedbackTable>;
export type NewFeedbackRow = Insertable<FeedbackTable>;
export type FeedbackRowUpdate = Updateable<FeedbackTable>;
