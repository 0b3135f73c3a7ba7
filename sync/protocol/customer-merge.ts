import {
  CUSTOMER_CONSENT_FIELDS, CUSTOMER_FIELDS, CUSTOMER_IDENTITY_FIELDS, type CustomerEdit, type CustomerField, type CustomerValues,
} from './entities.ts';
import { HLC_ZERO, type Hlc } from './hlc.ts';

/**
 * Field-by-field customer merge (ARCHITECTURE §7): HQ wins identity and consent fields, the later
 * hybrid clock wins contact fields, delete beats edit. Each field keeps the stamp of the write that
 * set it and a write wins only with a greater stamp, so merging is a join: the result does not
 * depend on the order edits arrive in, nor on how often one arrives.
 */
export type Stamp = Readonly<{ hq: 0 | 1; hlc: Hlc; origin: string }>;

export type CustomerState = Readonly<{
  id: string;
  tenant_id: string;
  created_at: number;
  values: CustomerValues;
  stamps: Readonly<Partial<Record<CustomerField, Stamp>>>;
  /** Set once deleted (right to be forgotten); sticky. */
  deleted: Stamp | null;
}>;

export const EMPTY_CUSTOMER_VALUES: CustomerValues = {
  external_ref: null, first_name: '', last_name: '', phone: '', email: '', language: 'fr',
  notify_sms: 0, notify_email: 0, notify_whatsapp: 0, consents: '{}', tags: '[]', metadata: '{}',
};

const HQ_OWNED = new Set<CustomerField>([...CUSTOMER_IDENTITY_FIELDS, ...CUSTOMER_CONSENT_FIELDS]);
const ZERO: Stamp = { hq: 0, hlc: HLC_ZERO, origin: '' };

export function compareStamps(a: Stamp, b: Stamp): number {
  if (a.hq !== b.hq) return a.hq - b.hq;
  if (a.hlc !== b.hlc) return a.hlc < b.hlc ? -1 : 1;
  if (a.origin !== b.origin) return a.origin < b.origin ? -1 : 1;
  return 0;
}

/** The stamp a write gets on one field: HQ's priority counts only on the fields HQ owns. */
function stampFor(field: CustomerField, hlc: Hlc, origin: string, fromHq: boolean): Stamp {
  return { hq: fromHq && HQ_OWNED.has(field) ? 1 : 0, hlc, origin };
}

function valueOrder(a: unknown, b: unknown): number {
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  return x === y ? 0 : x < y ? -1 : 1;
}

export function applyCustomerEdit(
  state: CustomerState | null,
  edit: CustomerEdit,
  origin: string,
  fromHq: boolean,
): CustomerState {
  const incoming: CustomerState = {
    id: edit.id,
    tenant_id: edit.tenant_id,
    created_at: edit.created_at,
    values: { ...EMPTY_CUSTOMER_VALUES, ...edit.values },
    stamps: Object.fromEntries(
      (Object.keys(edit.values) as CustomerField[])
        .filter((f) => (CUSTOMER_FIELDS as readonly string[]).includes(f))
        .map((f) => [f, stampFor(f, edit.hlc, origin, fromHq)]),
    ),
    deleted: edit.deleted ? { hq: fromHq ? 1 : 0, hlc: edit.hlc, origin } : null,
  };
  // Joining with itself normalises a first write that is a delete (no values survive a delete).
  return joinCustomers(state ?? incoming, incoming, edit.id);
}

/**
 * Joins two states of the same customer, or of two duplicates (the survivor keeps its id). Per field
 * the greater stamp wins; equal stamps with different values (impossible for distinct writers) fall
 * back to value order so the join stays commutative.
 */
export function joinCustomers(a: CustomerState, b: CustomerState, survivorId: string = a.id): CustomerState {
  const values: Record<string, unknown> = { ...EMPTY_CUSTOMER_VALUES };
  const stamps: Partial<Record<CustomerField, Stamp>> = {};
  for (const field of CUSTOMER_FIELDS) {
    const sa = a.stamps[field];
    const sb = b.stamps[field];
    let fromB: boolean;
    if (!sa && !sb) {
      values[field] = valueOrder(a.values[field], b.values[field]) >= 0 ? a.values[field] : b.values[field];
      continue;
    }
    const order = compareStamps(sa ?? ZERO, sb ?? ZERO);
    fromB = order < 0 || (order === 0 && valueOrder(b.values[field], a.values[field]) > 0);
    values[field] = fromB ? b.values[field] : a.values[field];
    const stamp = fromB ? sb : sa;
    if (stamp) stamps[field] = stamp;
  }
  const deleted = !a.deleted ? b.deleted : !b.deleted ? a.deleted : compareStamps(a.deleted, b.deleted) >= 0 ? a.deleted : b.deleted;
  return {
    id: survivorId,
    tenant_id: a.tenant_id,
    created_at: Math.min(a.created_at, b.created_at),
    values: deleted ? { ...EMPTY_CUSTOMER_VALUES } : (values as CustomerValues),
    stamps: deleted ? {} : stamps,
    deleted,
  };
}

/** The latest stamp in a state: the customer's clock as the feed reports it. */
export function customerHlc(state: CustomerState): Hlc {
  let max = state.deleted?.hlc ?? HLC_ZERO;
  for (const stamp of Object.values(state.stamps)) if (stamp && stamp.hlc > max) max = stamp.hlc;
  return max;
}

/** Two customers are the same person when they share a phone number or an e-mail address. */
export function duplicateKeys(values: Pick<CustomerValues, 'phone' | 'email'>): string[] {
  const keys: string[] = [];
  const phone = values.phone.replace(/[^\d+]/g, '');
  if (phone.length >= 6) keys.push(`phone:${phone}`);
  const email = values.email.trim().toLowerCase();
  if (email.includes('@')) keys.push(`email:${email}`);
  return keys;
}
