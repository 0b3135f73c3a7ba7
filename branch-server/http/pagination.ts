import type { Request } from 'express';
import type { SelectQueryBuilder } from 'kysely';
import type { Db } from '../db/sqlite.ts';
import type { DB } from '../db/schema.ts';

export const DEFAULT_PAGE_SIZE = 20;

export type Page<T> = { count: number; next: string | null; previous: string | null; results: T[] };

/**
 * DRF-style page: `{count, next, previous, results}` with absolute next/previous links, `page` and
 * `page_size` (≤ 100). `query` is the filtered query; ordering is applied by the caller.
 */
export function paginate<TB extends keyof DB, Row, T>(
  db: Db,
  query: SelectQueryBuilder<DB, TB, Row>,
  pageQuery: Readonly<{ page?: number | undefined; page_size?: number | undefined }>,
  origin: string,
  req: Request,
  map: (rows: Row[]) => T[],
): Page<T> {
  const page = pageQuery.page ?? 1;
  const size = pageQuery.page_size ?? DEFAULT_PAGE_SIZE;
  const total = db.first(query.clearSelect().clearOrderBy().select((eb) => eb.fn.countAll<number>().as('n')))?.n ?? 0;
  const rows = db.all(query.limit(size).offset((page - 1) * size));
  const link = (p: number) => {
    const url = new URL(req.originalUrl, origin);
    url.searchParams.set('page', String(p));
    return url.toString();
  };
  return {
    count: total,
    next: page * size < total ? link(page + 1) : null,
    previous: page > 1 ? link(Math.min(page - 1, Math.max(1, Math.ceil(total / size)))) : null,
    results: map(rows),
  };
}
