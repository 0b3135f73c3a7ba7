import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { fileURLToPath } from 'node:url';

/** The repository root (the benchmark runs its children from there). */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Wall-clock ms with sub-ms precision, comparable across processes on this machine. */
export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}

/** Nearest-rank percentile of unsorted samples (NaN when there are none). */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `ms`: request to full response; `at`: wall-clock ms when the response was complete. */
export type ApiResult = { status: number; body: any; ms: number; at: number };

/** A minimal JSON client over one keep-alive agent (no fetch/undici overhead in the measured path). */
export class Api {
  readonly #agent: http.Agent;
  readonly #host: string;
  readonly #port: number;

  constructor(baseUrl: string, maxSockets = 32) {
    const url = new URL(baseUrl);
    this.#host = url.hostname;
    this.#port = Number(url.port);
    this.#agent = new http.Agent({ keepAlive: true, maxSockets });
  }

  request(method: string, path: string, options: { token?: string | undefined; body?: unknown; headers?: Record<string, string> } = {}): Promise<ApiResult> {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (options.token) headers['authorization'] = `Bearer ${options.token}`;
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const req = http.request({ host: this.#host, port: this.#port, method, path, headers, agent: this.#agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const at = wallNow();
          const ms = performance.now() - started;
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = text ? JSON.parse(text) : null;
          } catch {
            // not JSON: keep the text for the error message
          }
          resolve({ status: res.statusCode ?? 0, body, ms, at });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** Like `request`, but anything other than `expected` is an error naming the call. */
  async expect(expected: number, method: string, path: string, options: { token?: string; body?: unknown } = {}): Promise<ApiResult> {
    const res = await this.request(method, path, options);
    if (res.status !== expected) {
      throw new Error(`${method} ${path} answered ${res.status} (expected ${expected}): ${JSON.stringify(res.body).slice(0, 300)}`);
    }
    return res;
  }

  close(): void {
    this.#agent.destroy();
  }
}

export type ServerChild = Readonly<{
  proc: ChildProcess;
  pid: number;
  url: string;
  /** ms from spawn to the first healthy answer. */
  startMs: number;
  /** 'health' (GET /api/v1/health/ → 200) or the fallback used when that route is absent. */
  readiness: string;
  output(): string;
  stop(): Promise<void>;
}>;

export type SpawnServerOptions = Readonly<{
  dataDir: string;
  cpuProfDir?: string | undefined;
  /** A command the server runs under (e.g. valgrind and its flags); node is its last argument. */
  wrapper?: readonly string[] | undefined;
  /** How long the server may take to become healthy (default 60 s). */
  healthTimeoutMs?: number | undefined;
  /**
   * What to run: 'bundle' (default) is what `npm start` runs, `dist/server/start.mjs` with plain node
   * (call `buildServer()` first); 'source' runs the TypeScript through tsx.
   */
  entry?: 'bundle' | 'source' | undefined;
  /** Extra environment for the server. */
  env?: Readonly<Record<string, string>> | undefined;
}>;

/** Builds `dist/server/start.mjs` from the current sources (what `npm start` does before starting). */
export async function buildServer(): Promise<{ file: string; ms: number }> {
  const { buildServer: build } = (await import(new URL('../../scripts/build-server.mjs', import.meta.url).href)) as {
    buildServer(): Promise<{ file: string; ms: number }>;
  };
  return build();
}

/**
 * Starts the branch server as its own node process (what `npm start` runs) on PORT=0 and
 * waits until it is healthy: GET /api/v1/health/ → 200; when that route does not exist (404), the
 * first HTTP answer counts, confirmed by GET /api/v1/auth/me/ → 401. The port is read from the
 * server's banner: picking a free port beforehand races with other servers started on this machine.
 */
export async function spawnServer(options: SpawnServerOptions): Promise<ServerChild> {
  let port = 0;
  const args = options.entry === 'source' ? ['--import', 'tsx'] : [];
  if (options.cpuProfDir) args.push('--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`);
  args.push(options.entry === 'source' ? 'branch-server/cli/start.ts' : 'dist/server/start.mjs');
  const t0 = performance.now();
  const [command, ...commandArgs] = options.wrapper ? [...options.wrapper, process.execPath, ...args] : [process.execPath, ...args];
  const proc = spawn(command!, commandArgs, {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: '0', HOST: '127.0.0.1', DATA_DIR: options.dataDir, DEMO_TENANT: 'false',
      ACCESS_TOKEN_TTL_SECONDS: '3600',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    if (process.env['BENCH_ECHO']) process.stderr.write(chunk);
    output = (output + chunk.toString('utf8')).slice(-8000);
    if (!port) port = Number(/running on http:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1] ?? 0);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  let exited: number | null | undefined;
  const exit = new Promise<void>((resolve) => proc.once('exit', (code, signal) => {
    exited = code ?? (signal ? -1 : null);
    resolve();
  }));

  const probe = (path: string) => new Promise<number>((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
  });

  let readiness = '';
  const healthTimeoutMs = options.healthTimeoutMs ?? 60_000;
  const deadline = Date.now() + healthTimeoutMs;
  while (!readiness) {
    if (exited !== undefined) throw new Error(`The server exited (code ${exited}) before it was healthy:\n${output}`);
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`The server was not healthy within ${healthTimeoutMs / 1000} s:\n${output}`);
    }
    if (!port) {
      await sleep(5);
      continue;
    }
    const status = await probe('/api/v1/health/');
    if (status === 200) readiness = 'health';
    else if (status === 404 && (await probe('/api/v1/auth/me/')) === 401) readiness = 'auth-me-401 (no /api/v1/health/ route)';
    else await sleep(status === 0 ? 5 : 20);
  }
  const startMs = performance.now() - t0;
  const url = `http://127.0.0.1:${port}`;

  return {
    proc,
    pid: proc.pid ?? 0,
    url,
    startMs,
    readiness,
    output: () => output,
    async stop() {
      if (exited !== undefined) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      await exit;
      clearTimeout(timer);
    },
  };
}

/** Resident memory of a process in MiB, from /proc (Linux). */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) / 1024;
}

export function round(value: number, digits = 2): number {
  if (!Number.isFinite(value)) return value;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
