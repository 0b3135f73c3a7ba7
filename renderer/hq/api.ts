import type { z } from 'zod';
import { hqRoutes, type HqRouteName, type HqRoutes } from '../../sync/protocol/hq-routes.ts';
import { ApiError } from '../shared/api.ts';

type Def<K extends HqRouteName> = HqRoutes[K];
type In<S> = S extends z.ZodType ? z.input<S> : undefined;
export type HqOut<K extends HqRouteName> = z.output<Def<K>['response']>;

export type HqCallArgs<K extends HqRouteName> = Readonly<{
  params?: Def<K> extends { params: z.ZodType } ? Omit<In<Def<K>['params']>, 'slug'> & { slug?: string } : never;
  query?: Def<K> extends { query: z.ZodType } ? In<Def<K>['query']> : never;
  body?: Def<K> extends { body: z.ZodType } ? In<Def<K>['body']> : never;
}>;

export type HqApi = Readonly<{
  /** Calls an HQ contract route by name; `slug` defaults to the tenant being looked at. */
  call<K extends HqRouteName>(name: K, args?: HqCallArgs<K>): Promise<HqOut<K>>;
  tenant: string | null;
}>;

/** The HQ dashboard's typed client: request and response types come from the cloud's zod contracts. */
export function createHqApi(options: Readonly<{ tenant: string | null; token: () => string | null; onUnauthorized?: () => void }>): HqApi {
  return {
    tenant: options.tenant,
    async call(name, args = {}) {
      const def = hqRoutes[name];
      const params: Record<string, unknown> = { slug: options.tenant, ...(args.params as Record<string, unknown> | undefined) };
      let url = def.path.replace(/:([A-Za-z_]+)/g, (_m, key: string) => {
        const value = params[key];
        if (value === undefined || value === null) throw new Error(`Missing path parameter "${key}" for ${def.path}`);
        return encodeURIComponent(String(value));
      });
      if (args.query) {
        const search = new URLSearchParams();
        for (const [key, value] of Object.entries(args.query as Record<string, unknown>)) {
          if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
        }
        if (search.size > 0) url += `?${search}`;
      }
      const headers: Record<string, string> = { accept: 'application/json' };
      const token = options.token();
      if (token) headers['authorization'] = `Bearer ${token}`;
      let body: string | undefined;
      if (args.body !== undefined) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(args.body);
      }
      const res = await fetch(url, { method: def.method.toUpperCase(), headers, ...(body === undefined ? {} : { body }) });
      if (res.status === 204) return null as HqOut<typeof name>;
      const payload: unknown = await res.json().catch(() => null);
      if (!res.ok) {
        const p = (payload ?? {}) as { error?: string; detail?: string; code?: string; details?: unknown };
        if (res.status === 401) options.onUnauthorized?.();
        throw new ApiError(res.status, p.code ?? 'error', p.error ?? p.detail ?? res.statusText, p.details);
      }
      return payload as HqOut<typeof name>;
    },
  };
}
