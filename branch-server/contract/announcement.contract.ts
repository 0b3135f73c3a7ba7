import { z } from 'zod';
import { Uuid } from './common.ts';

/**
 * The spoken call of a display, as audio: `GET` answers `audio/wav` bytes (chime, then "Ticket A 0 2 3,
 * guichet 4" in each language asked for), built on the branch server from recorded clips, so a TV
 * needs no internet and no system voices. Not part of the JSON route map (its answer is binary); it
 * goes through the same checks: the display device bound to this display, or a member with
 * read:queue. An `<audio>` element cannot send headers, so the credential may come as
 * `?device_key=` (or `?token=`), as on the ws; an `Authorization` header works too.
 * Errors are the API's JSON errors (401/403/404 `{detail, code}`, 400 `{error, code, details}`).
 */
export const announcementPath = '/api/v1/tenants/:slug/displays/:id/announcement/';

const Flag = z.enum(['0', '1', 'true', 'false']).transform((v) => v === '1' || v === 'true');

export const AnnouncementQuery = z.object({
  ticket: Uuid.describe('the called ticket (of a queue the display shows)'),
  lang: z.string().max(32)
    .transform((v) => v.split(',').map((l) => l.trim()).filter(Boolean))
    .pipe(z.array(z.enum(['fr', 'en', 'ar'])).min(1, 'must name at least one language').max(3)
      .refine((langs) => new Set(langs).size === langs.length, 'must not name a language twice'))
    .optional()
    .describe("comma-separated, spoken in this order (fr,en,ar); defaults to the display's languages"),
  chime: Flag.optional().describe('play the chime first (default 1)'),
  /** Ignored by the server: lets a client make a recall's URL differ from the first call's. */
  recall: z.string().max(8).optional(),
});
export type AnnouncementQuery = z.infer<typeof AnnouncementQuery>;
