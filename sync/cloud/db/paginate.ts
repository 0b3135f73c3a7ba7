import type { SelectQueryBuilder } from 'kysely';

export const DEFAULT_PAGE_SIZE = 20;

export type PageRequest = Readonly<{ page?: number | undefined; page_size?: number | undefined }>;
export type PageResult<T> = Readonly<{ count: number; page: number; size: number; results: T[] }>;

/**
 * One page of a filtered query (ordering applied by the caller) and the total it came from. Runs
 * both queries on the caller's handle, so inside a tenant transaction the count sees what the page sees.
 */
export async function pageOf<DB, TB extends keyof DB, O, T>(
  query: SelectQueryBuilder<DB, TB, O>,
  request: PageRequest,
  map: (rows: O[]) => T[] | Promise<T[]>,
): Promise<PageResult<T>> {
  const page = request.page ?? 1;
  const size = request.page_size ?? DEFAULT_PAGE_SIZE;
  const total = await query.clearSelect().clearOrderBy()
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirst() as { n: number | string } | undefined;
  const rows = await query.limit(size).offset((page - 1) * size).execute();
  return { count: Number(total?.n ?? 0), page, size, results: await map(rows) };
}
