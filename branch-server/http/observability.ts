import { randomBytes, timingSafeEqual } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

/** What the request pipeline records: one access log line and one latency observation per request. */
export type RouteObserver = Readonly<{ observe(seconds: number, status: number): void }>;
export type Observability = Readonly<{
  logger: Logger;
  /** The series of one route template (bound once; see ops/metrics.ts). */
  forRoute(method: string, route: string): RouteObserver;
}>;

const STARTED = Symbol('started');
const ROUTE = Symbol('route');
const OBS = Symbol('observability');

type Observed = Response & { [STARTED]?: number; [ROUTE]?: Readonly<{ observer: RouteObserver; template: string }>; [OBS]?: Fallback };
type Fallback = Readonly<{ logger: Logger; unmatched: RouteObserver }>;

/** Request ids: a short per-process prefix and a counter (no randomness per request). */
const PREFIX = randomBytes(3).toString('hex');
let counter = 0;
const INCOMING_ID = /^[\w.:-]{1,64}$/;

export function requestId(req: Request): string {
  return (req as Request & { id?: string }).id ?? '';
}

/**
 * First middleware of an app: gives the request its id (a sane incoming `X-Request-Id` from a proxy
 * is kept), answers it in `X-Request-Id`, and when the response is finished logs one line and
 * records its latency under the route template the pipeline matched.
 */
export function observeRequests(obs: Observability): RequestHandler {
  // The access line holds only the request id, method, route template, status and time: nothing to
  // redact, and pino's redaction (its wildcard paths walked on every call) cost 20 µs of each request.
  const access = obs.logger.child({}, { redact: [] });
  const fallback: Fallback = { logger: access, unmatched: obs.forRoute('ANY', '(unmatched)') };
  return (req: Request, res: Response, next: NextFunction) => {
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && INCOMING_ID.test(incoming) ? incoming : `${PREFIX}-${(counter += 1).toString(36)}`;
    (req as Request & { id?: string }).id = id;
    res.setHeader('X-Request-Id', id);
    const observed = res as Observed;
    observed[STARTED] = performance.now();
    observed[OBS] = fallback;
    res.once('finish', onFinish);
    next();
  };
}

/** Called by the pipeline once it knows which route serves the request. */
export function markRoute(res: Response, route: Readonly<{ observer: RouteObserver; template: string }>): void {
  (res as Observed)[ROUTE] = route;
}

function onFinish(this: Response): void {
  const res = this as Observed;
  const started = res[STARTED];
  const fallback = res[OBS];
  if (started === undefined || !fallback) return;
  const ms = performance.now() - started;
  const route = res[ROUTE];
  (route?.observer ?? fallback.unmatched).observe(ms / 1000, res.statusCode);
  const req = res.req;
  // Unmatched paths (UI pages, static files) are logged by their first segment only: a phone's
  // tracking page carries the ticket's public id in its path.
  fallback.logger.info({
    req_id: requestId(req), method: req.method, route: route?.template ?? firstSegment(req.path), status: res.statusCode,
    ms: Math.round(ms * 100) / 100,
  }, 'request');
}

function firstSegment(path: string): string {
  const end = path.indexOf('/', 1);
  return end === -1 ? path : `${path.slice(0, end)}/…`;
}

/**
 * `/metrics` in the Prometheus text format. Protection: with a `METRICS_TOKEN`, a scraper sends
 * `Authorization: Bearer <token>` (from anywhere); without one, only this machine (loopback) may
 * read it — counts of tickets and queues are business data, not for every device on the LAN.
 */
export function metricsHandler(registry: Registry, token: string | null): RequestHandler {
  const expected = token ? Buffer.from(`Bearer ${token}`) : null;
  return (req, res, next) => {
    if (expected) {
      const given = Buffer.from(req.get('authorization') ?? '');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        res.setHeader('WWW-Authenticate', 'Bearer');
        res.status(401).json({ detail: 'Send the metrics token: Authorization: Bearer <METRICS_TOKEN>.', code: 'not-authenticated' });
        return;
      }
    } else if (!isLoopback(req.socket.remoteAddress)) {
      res.status(403).json({ detail: 'Metrics are served to this machine only; set METRICS_TOKEN to scrape from the network.', code: 'forbidden' });
      return;
    }
    registry.metrics().then((text) => {
      res.setHeader('Content-Type', registry.contentType);
      res.setHeader('Cache-Control', 'no-store');
      res.end(text);
    }, next);
  };
}

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}
