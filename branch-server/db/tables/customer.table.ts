import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export interface CustomerTable {
  id: string;
  tenant_id: string;
  external_ref: string | null;
  first_name: Generated<string>;
  last_name: Generated<string>;
  phone: Generated<string>;
  email: Generated<string>;
  language: Generated<string>;
  notify_sms: Generated<0 | 1>;
  notify_email: Generated<0 | 1>;
  notify_whatsapp: Generated<0 | 1>;
  consents: Generated<string>;
  tags: Generated<string>;
  metadata: Generated<string>;
  created_at: number;
  updated_at: number;
}

export type CustomerRow = Selectable<CustomerTable>;
export type NewCustomerRow = Insertable<CustomerTable>;
export type CustomerRowUpdate = Updateable<CustomerTable>;
