import { z } from 'zod';

export const Uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be a UUID');
export const Slug = z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, 'must be a slug (a-z, 0-9, -)');
export const IsoDateTime = z.string().describe('ISO 8601 date-time');
export const NullableIso = IsoDateTime.nullable();

export const TenantParams = z.object({ slug: Slug });
export const TenantIdParams = z.object({ slug: Slug, id: Uuid });

/** Query numbers arrive as strings. */
const queryInt = (min: number, max: number) =>
  z.union([z.string().regex(/^\d+$/, 'must be a whole number').transform(Number), z.number().int()])
    .pipe(z.number().int().min(min).max(max));

export const PageQuery = z.object({
  page: queryInt(1, 1_000_000).optional(),
  page_size: queryInt(1, 100).optional(),
});

export function paginated<T extends z.ZodType>(item: T) {
  return z.object({
    count: z.number().int(),
    next: z.string().nullable(),
    previous: z.string().nullable(),
    results: z.array(item),
  });
}

export const Empty = z.object({}).strict();
export const NoContent = z.null();
export const Detail = z.object({ detail: z.string() });

/** Error bodies: 400 and other 4xx carry `error`; 401/403/404 carry `detail` as in SmartQueue v1. */
export const ErrorBody = z.object({
  error: z.string(),
  code: z.string(),
  details: z.unknown().optional().describe(
    'validation-failed: one item per refused field, `{field, message, code, minimum?, maximum?, origin?, format?}` where `code` is the check that failed '
    + '(required, too_small, too_big, invalid_format, invalid_value, invalid_type, custom…) and the others its bound or format; other codes may carry their own details',
  ),
});
export const DetailBody = z.object({ detail: z.string(), code: z.string() });

export const Language = z.enum(['fr', 'en', 'ar']);
export const Channel = z.enum(['web', 'app', 'qr', 'whatsapp', 'kiosk']);
export const TicketStatus = z.enum(['en_attente', 'appele', 'en_service', 'pause', 'transfere', 'clos', 'no_show']);
export const Role = z.enum(['admin', 'manager', 'agent']);
export const AgentStatus = z.enum(['available', 'busy', 'paused', 'offline']);
export const QueueAlgorithm = z.enum(['fifo', 'priority', 'sla']);
export const QueueStatus = z.enum(['open', 'paused', 'closed']);
/** A free-text field: trimmed, bounded. */
export const Text = (max: number) => z.string().trim().max(max);
