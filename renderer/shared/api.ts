import type { z } from 'zod';
import { routes, type RouteName, type Routes } from '../../branch-server/contract/index.ts';
import { localizeIssue, type FieldIssue } from './field-messages.ts';
import type { Language } from './i18n.tsx';

type Def<K extends RouteName> = Routes[K];
type In<S> = S extends z.ZodType ? z.input<S> : undefined;
type Out<K extends RouteName> = z.output<Def<K>['response']>;

export type CallArgs<K extends RouteName> = Readonly<{
  params?: Def<K> extends { params: z.ZodType } ? Omit<In<Def<K>['params']>, 'slug'> & { slug?: string } : never;
  query?: Def<K> extends { query: z.ZodType } ? In<Def<K>['query']> : never;
  body?: Def<K> extends { body: z.ZodType } ? In<Def<K>['body']> : never;
}>;

/** What the server said when it refused: the contract's error body plus the HTTP status. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;
  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/**
 * The API's `details` items placed by the form field each names (`queue_ids.0` → `queue_ids`), first
 * message per field, so each problem can be shown under what was typed; with `lang`, the checks
 * every form meets (required, length, format…) are said in that language (shared/field-messages.ts).
 */
export function fieldErrors(error: ApiError, lang?: Language): Record<string, string> {
  const fields: Record<string, string> = {};
  if (!Array.isArray(error.details)) return fields;
  for (const item of error.details as unknown[]) {
    if (item && typeof item === 'object' && 'field' in item && 'message' in item) {
      const issue = item as FieldIssue & { field: unknown };
      const field = String(issue.field).split('.')[0] ?? '';
      fields[field] ??= lang ? localizeIssue(lang, { ...issue, message: String(issue.message) }) : String(issue.message);
    }
  }
  return fields;
}

export type Credentials = Readonly<{ kind: 'user'; token: string } | { kind: 'device'; key: string } | { kind: 'none' }>;

export type ApiClient = Readonly<{
  /** Calls a contract route by name; path params default `slug` to the client's tenant. */
  call<K extends RouteName>(name: K, args?: CallArgs<K>): Promise<Out<K>>;
  tenant: string | null;
}>;

function fillPath(template: string, params: Record<string, unknown>): string {
  return template.replace(/:([A-Za-z_]+)/g, (_m, key: string) => {
    const value = params[key];
    if (value === undefined || value === null) throw new Error(`Missing path parameter "${key}" for ${template}`);
    return encodeURIComponent(String(value));
  });
}

/**
 * The typed client of every UI: request and response types come from the same zod contract the
 * server validates with, so a renamed field is a compile error here, not a broken screen.
 */
export function createApi(options: Readonly<{
  baseUrl?: string;
  tenant: string | null;
  credentials: () => Credentials;
  onUnauthorized?: (error: ApiError) => void;
}>): ApiClient {
  const base = options.baseUrl ?? '';
  return {
    tenant: options.tenant,
    async call(name, args = {}) {
      const def = routes[name];
      const params = { slug: options.tenant, ...(args.params as Record<string, unknown> | undefined) };
      let url = base + fillPath(def.path, params);
      if (args.query) {
        const search = new URLSearchParams();
        for (const [key, value] of Object.entries(args.query as Record<string, unknown>)) {
          if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
        }
        const text = search.toString();
        if (text) url += `?${text}`;
      }
      const headers: Record<string, string> = { accept: 'application/json' };
      const creds = options.credentials();
      if (creds.kind === 'user') headers['authorization'] = `Bearer ${creds.token}`;
      if (creds.kind === 'device') headers['authorization'] = `Device ${creds.key}`;
      let body: string | undefined;
      if (args.body !== undefined) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(args.body);
      }
      const res = await fetch(url, { method: def.method.toUpperCase(), headers, ...(body === undefined ? {} : { body }) });
      if (res.status === 204) return null as Out<typeof name>;
      const payload: unknown = await res.json().catch(() => null);
      if (!res.ok) {
        const p = (payload ?? {}) as { error?: string; detail?: string; code?: string; details?: unknown };
        const error = new ApiError(res.status, p.code ?? 'error', p.error ?? p.detail ?? res.statusText, p.details);
        if (res.status === 401) options.onUnauthorized?.(error);
        throw error;
      }
      return payload as Out<typeof name>;
    },
  };
}
