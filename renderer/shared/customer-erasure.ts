/** What the branch and HQ consoles need to know of a customer to name them and confirm an erasure. */
export type NamedCustomer = Readonly<{ id: string; first_name: string; last_name: string; phone: string; email: string; external_ref: string | null }>;

export const customerName = (c: Pick<NamedCustomer, 'first_name' | 'last_name'>) => `${c.first_name} ${c.last_name}`.trim();

/**
 * What staff type to confirm an erasure: the customer's name, else their phone, e-mail or external
 * reference — something only this customer's record shows, so the wrong row is not erased.
 */
export function erasureWord(c: NamedCustomer): string {
  return customerName(c) || c.phone || c.email || c.external_ref || c.id.slice(-8);
}

const fold = (text: string) => text.trim().replace(/\s+/g, ' ').toLocaleLowerCase();

/** Case and spacing do not matter; every letter does. */
export const typedMatches = (typed: string, expected: string) => fold(typed) === fold(expected);
