import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * The contract's routes found through a tree of path segments. Express keeps routes in a list and
 * tries them one by one, a regular expression each: with ~200 routes, and the ticket routes late in
 * the order, finding the route cost 5 % of the server's time in a kiosk rush.
 *
 * Matching follows the rules Express applied to these routes: literal segments compare without case,
 * a `:param` takes one non-empty segment (percent-decoded; a malformed escape is a 400), one trailing
 * slash is optional. Where two templates could match one URL, the literal wins at the first segment
 * where they differ (the order `inMatchOrder` gave Express), and a route without the request's method
 * lets a later one that has it answer. A path matched only by routes of other methods is a 405 that
 * names the allowed ones; HEAD is served by GET.
 */
export type Matched<R> = Readonly<{ route: R; params: Record<string, string> }>;
export type Lookup<R> =
  | Readonly<{ kind: 'found'; match: Matched<R> }>
  | Readonly<{ kind: 'method-not-allowed'; allow: readonly string[] }>
  | Readonly<{ kind: 'none' }>
  | Readonly<{ kind: 'bad-param'; message: string }>;

type Entry<R> = Readonly<{ route: R; paramNames: readonly string[] }>;
type Node<R> = {
  readonly literals: Map<string, Node<R>>;
  param: Node<R> | null;
  /** By method (upper case), the first route registered for it. */
  readonly routes: Map<string, Entry<R>>;
};

const node = <R>(): Node<R> => ({ literals: new Map(), param: null, routes: new Map() });

/** Segments of a path: one trailing slash dropped, empty segments kept (`/a//b` is not `/a/b`). */
function segmentsOf(path: string): string[] {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  return trimmed.split('/').slice(1);
}

export class RouteTable<R> {
  readonly #root: Node<R> = node();

  add(method: string, template: string, route: R): void {
    let at = this.#root;
    const paramNames: string[] = [];
    for (const segment of segmentsOf(template)) {
      if (segment.startsWith(':')) {
        paramNames.push(segment.slice(1));
        at = at.param ??= node();
      } else {
        const key = segment.toLowerCase();
        let next = at.literals.get(key);
        if (!next) {
          next = node();
          at.literals.set(key, next);
        }
        at = next;
      }
    }
    const verb = method.toUpperCase();
    if (!at.routes.has(verb)) at.routes.set(verb, { route, paramNames });
  }

  lookup(method: string, pathname: string): Lookup<R> {
    const segments = segmentsOf(pathname);
    const verb = method.toUpperCase();
    const values: string[] = [];
    let firstPath: Node<R> | null = null;

    const visit = (at: Node<R>, i: number): Entry<R> | null => {
      if (i === segments.length) {
        if (at.routes.size === 0) return null;
        firstPath ??= at;
        return at.routes.get(verb) ?? (verb === 'HEAD' ? at.routes.get('GET') ?? null : null);
      }
      const segment = segments[i]!;
      const literal = at.literals.get(segment.toLowerCase());
      const found = literal ? visit(literal, i + 1) : null;
      if (found || !at.param || segment === '') return found;
      values.push(segment);
      const viaParam = visit(at.param, i + 1);
      if (!viaParam) values.pop();
      return viaParam;
    };

    // Which segments filled parameters depends on the path taken, so they are collected as the walk
    // goes and kept only along the successful branch.
    const entry = visit(this.#root, 0);
    if (entry) {
      const params: Record<string, string> = {};
      for (let k = 0; k < entry.paramNames.length; k += 1) {
        const raw = values[k]!;
        try {
          params[entry.paramNames[k]!] = raw.includes('%') ? decodeURIComponent(raw) : raw;
        } catch {
          return { kind: 'bad-param', message: `Failed to decode param '${raw}'.` };
        }
      }
      return { kind: 'found', match: { route: entry.route, params } };
    }
    if (firstPath) return { kind: 'method-not-allowed', allow: [...(firstPath as Node<R>).routes.keys()] };
    return { kind: 'none' };
  }
}

/**
 * One Express middleware serving a contract's routes through a `RouteTable`, in the order
 * `inMatchOrder` gives: the request's params set from the matched template, a malformed escape a
 * 400, a path served only for other methods a 405 naming them. Anything else goes on (`next`).
 */
export function contractRoutes<R extends Readonly<{ def: Readonly<{ method: string; path: string }> }>>(
  routes: readonly R[],
  serve: (route: R, req: Request, res: Response, next: NextFunction) => void,
): RequestHandler {
  const table = new RouteTable<R>();
  for (const route of routes) table.add(route.def.method, route.def.path, route);
  return (req, res, next) => {
    const found = table.lookup(req.method, req.path);
    switch (found.kind) {
      case 'none':
        next();
        return;
      case 'bad-param':
        next(Object.assign(new URIError(found.message), { status: 400, expose: true }));
        return;
      case 'method-not-allowed':
        res.setHeader('Allow', found.allow.join(', '));
        res.status(405).json({ error: `Method not allowed. Use ${found.allow.join(', ')}.`, code: 'method-not-allowed' });
        return;
      case 'found':
        (req as { params: Record<string, string> }).params = found.match.params;
        serve(found.match.route, req, res, next);
    }
  };
}
