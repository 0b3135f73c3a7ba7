/** Personal data inside stored rows and audit values: what retention and erasure remove. Pure. */

/** Keys of personal data inside audit `before`/`after` values (ticket, appointment, feedback, notification, customer rows). */
export const PERSONAL_KEYS: ReadonlySet<string> = new Set([
  'customer_name', 'customer_phone', 'customer_email', 'comment', 'recipient', 'phone', 'email', 'first_name', 'last_name',
]);

/** The audit value with every personal field emptied (ids, numbers, times and statuses stay: they are the statistics). */
export function redactPersonal(value: unknown): unknown {
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((v) => {
      const r = redactPersonal(v);
      if (r !== v) changed = true;
      return r;
    });
    return changed ? out : value;
  }
  if (value === null || typeof value !== 'object') return value;
  let out: Record<string, unknown> | null = null;
  for (const [key, v] of Object.entries(value)) {
    const next = PERSONAL_KEYS.has(key) ? (typeof v === 'string' ? '' : v === null ? null : '') : redactPersonal(v);
    if (next !== v) {
      out ??= { ...(value as Record<string, unknown>) };
      out[key] = next;
    }
  }
  return out ?? value;
}

