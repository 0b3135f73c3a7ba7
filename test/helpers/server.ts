import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start, type RunningServer, type StartOptions } from '../../branch-server/start.ts';
import { createTenant, type DemoData } from '../../branch-server/use-cases/create-tenant.ts';

export type ApiResponse<T = any> = { status: number; body: T; headers: Headers };

export type TestServer = Readonly<{
  server: RunningServer;
  url: string;
  dataDir: string;
  /** Calls the API over real HTTP. `body` is sent as JSON unless `raw` is given. */
  api<T = any>(method: string, path: string, options?: { token?: string; device?: string; body?: unknown; raw?: string; headers?: Record<string, string> }): Promise<ApiResponse<T>>;
  login(email: string, password: string): Promise<string>;
  close(): Promise<void>;
}>;

/** Starts a real branch server on port 0 with a fresh SQLite file in a temp dir. */
export async function startTestServer(options: Partial<StartOptions> = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'sq-test-'));
  // Idle printers are not polled unless a test asks: background status reads would interleave with what it checks.
  const jobs = { ...options.jobs, health: { intervalMs: 0, ...options.jobs?.health } };
  // Scheduled backups and the nightly retention stay off unless a test asks (they would run mid-test).
  const backups = { intervalMinutes: 0, nightlyHour: null, ...options.backups };
  const server = await start({ port: 0, host: '127.0.0.1', retentionHour: null, ...options, jobs, backups, dataDir });
  const api: TestServer['api'] = async (method, path, opts = {}) => {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (opts.token) headers['authorization'] = `Bearer ${opts.token}`;
    if (opts.device) headers['authorization'] = `Device ${opts.device}`;
    let body: string | undefined;
    if (opts.raw !== undefined) body = opts.raw;
    else if (opts.body !== undefined) body = JSON.stringify(opts.body);
    if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
    const res = await fetch(`${server.url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // non-JSON body (HTML docs page): keep the text
    }
    return { status: res.status, body: parsed as any, headers: res.headers };
  };
  return {
    server,
    url: server.url,
    dataDir,
    api,
    async login(email, password) {
      const res = await api('POST', '/api/v1/auth/', { body: { email, password } });
      if (res.status !== 200) throw new Error(`login ${email} failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.token as string;
    },
    async close() {
      await server.close();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const ADMIN_PASSWORD = 'admin-password-1';

export type DemoTenant = Readonly<{
  slug: string;
  tenantId: string;
  adminEmail: string;
  adminToken: string;
  demo: DemoData;
  /** Tokens of the three demo agents (agent 1 serves every queue, agents 2 and 3 one each). */
  agentTokens: string[];
}>;

/** Creates a demo tenant (as `npm run create-tenant -- --with-demo-data`) and signs everyone in. */
export async function seedDemoTenant(t: TestServer, slug = 'demo-bank'): Promise<DemoTenant> {
  const adminEmail = `admin@${slug}.com`;
  const created = await createTenant(t.server.deps.db, {
    name: `Tenant ${slug}`, slug, adminEmail, adminPassword: ADMIN_PASSWORD, withDemoData: true,
  }, Date.now());
  const demo = created.demo!;
  const adminToken = await t.login(adminEmail, ADMIN_PASSWORD);
  const agentTokens = await Promise.all(demo.agents.map((a) => t.login(a.email, a.password)));
  return { slug, tenantId: created.tenantId, adminEmail, adminToken, demo, agentTokens };
}
