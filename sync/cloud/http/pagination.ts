import type { Request } from 'express';
import type { PageResult } from '../db/paginate.ts';

export type Page<T> = { count: number; next: string | null; previous: string | null; results: T[] };

/** The branch's DRF-style page: `{count, next, previous, results}` with absolute links. */
export function toPage<T>(result: PageResult<T>, ctx: Readonly<{ origin: string; req: Request }>): Page<T> {
  const { count, page, size } = result;
  const link = (p: number) => {
    const url = new URL(ctx.req.originalUrl, ctx.origin);
    url.searchParams.set('page', String(p));
    return url.toString();
  };
  return {
    count,
    next: page * size < count ? link(page + 1) : null,
    previous: page > 1 ? link(Math.min(page - 1, Math.max(1, Math.ceil(count / size)))) : null,
    results: result.results,
  };
}
