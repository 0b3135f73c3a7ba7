import { z } from 'zod';

/**
 * Field schemas shared by the management contracts (sites, services, queues, members, customers,
 * feedback, audit, reports). Pure zod: the UIs import these too.
 */

export const Phone = z.string().trim().regex(/^\+?[0-9 ()-]{6,20}$/, 'must be a phone number');

/** An IANA time zone name (`Africa/Dakar`), checked with Intl and returned in its canonical spelling. */
export const TimeZone = z.string().trim().min(1).max(64).transform((value, ctx) => {
  let canonical: string;
  try {
    canonical = new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be an IANA time zone such as Africa/Dakar' });
    return z.NEVER;
  }
  // Intl also accepts bare offsets (+01:00); a site needs a named zone so daylight saving is followed.
  if (!/^[A-Za-z][A-Za-z_]*(?:\/[A-Za-z0-9_+-]+)*$/.test(canonical)) {
    ctx.addIssue({ code: 'custom', message: 'must be an IANA time zone such as Africa/Dakar' });
    return z.NEVER;
  }
  return canonical;
});

/** A JSON object stored in a TEXT column, bounded so one row cannot bloat the database or the sync. */
export const JsonObject = (maxBytes: number) =>
  z.record(z.string().max(64), z.unknown()).refine((value) => JSON.stringify(value).length <= maxBytes, {
    message: `must be at most ${maxBytes} bytes of JSON`,
  });

/** Short labels (`vip`, `senior`), de-duplicated. */
export const Tags = z.array(z.string().trim().min(1).max(40)).max(20).transform((tags) => [...new Set(tags)]);

/** `YYYY-MM-DD`, a real calendar day. */
export const DateOnly = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD').refine((value) => {
  const [y, m, d] = value.split('-').map(Number);
  const date = new Date(Date.UTC(y ?? 0, (m ?? 1) - 1, d ?? 1));
  return date.toISOString().slice(0, 10) === value;
}, 'must be a real calendar date');

/** Query booleans arrive as strings. */
export const QueryBool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** A date-time filter in a query: ISO 8601 with an offset (`2025-01-31T08:00:00Z`) or a bare date (UTC midnight). */
export const QueryDateTime = z.string().transform((value, ctx) => {
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T00:00:00Z`)
    : /^\d{4}-\d{2}-\d{2}T[\d:.]+(?:Z|[+-]\d{2}:\d{2})$/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) {
    ctx.addIssue({ code: 'custom', message: 'must be an ISO 8601 date-time with an offset, or a date YYYY-MM-DD' });
    return z.NEVER;
  }
  return ms;
});

/** A list in a query: `?tags=a,b` or `?tags=a&tags=b`. */
export const QueryList = z.union([z.string(), z.array(z.string())])
  .transform((value) => (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== ''))
  .pipe(z.array(z.string().max(40)).max(20));

/** Free-text search in a query. */
export const QuerySearch = z.string().trim().min(1).max(100);
