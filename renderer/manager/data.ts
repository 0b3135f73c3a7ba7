import type { z } from 'zod';
import type { Routes } from '../../branch-server/contract/index.ts';
import type { ApiClient } from '../shared/api.ts';

type ListRoute = 'listQueues' | 'listServices' | 'listSites' | 'listMembers' | 'listAgents' | 'listDisplays' | 'listKiosks' | 'listDevices' | 'listTemplates' | 'listPrinters';
export type Item<K extends ListRoute> = z.output<Routes[K]['response']>['results'][number];

/** Every row of a list (configuration lists are short: a few pages of 100 at most). */
export async function listAll<K extends ListRoute>(api: ApiClient, name: K): Promise<Item<K>[]> {
  const rows: Item<K>[] = [];
  for (let page = 1; page <= 50; page += 1) {
    const list = await (api.call as (n: ListRoute, a: unknown) => Promise<{ results: Item<K>[]; next: string | null }>)(name, { query: { page, page_size: 100 } });
    rows.push(...list.results);
    if (!list.next) break;
  }
  return rows;
}

export type Queue = Item<'listQueues'>;
export type Service = Item<'listServices'>;
export type Site = Item<'listSites'>;
export type Member = Item<'listMembers'>;
export type Agent = Item<'listAgents'>;
export type Display = Item<'listDisplays'>;
export type Kiosk = Item<'listKiosks'>;
export type Device = Item<'listDevices'>;
export type Template = Item<'listTemplates'>;
export type Printer = Item<'listPrinters'>;

export function byName<T extends { name: string }>(rows: readonly T[]): T[] {
  return [...rows].sort((a, b) => a.name.localeCompare(b.name));
}
