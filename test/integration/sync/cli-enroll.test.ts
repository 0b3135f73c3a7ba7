import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrollmentToken, seedCloudTenant, startTestCloud, type SeededCloudTenant, type TestCloud } from '../../helpers/cloud.ts';
import { SOURCE_START } from '../../helpers/source-start.ts';

const ROOT = resolve(import.meta.dirname, '../../..');

let cloud: TestCloud;
let acme: SeededCloudTenant;
const dirs: string[] = [];
const running = new Set<ReturnType<typeof spawn>>();

beforeAll(async () => {
  cloud = await startTestCloud();
  acme = await seedCloudTenant(cloud, 'acme');
});
afterAll(async () => {
  for (const child of running) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  await cloud?.stop();
});

function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of ['PORT', 'HOST', 'DATA_DIR', 'DEMO_TENANT', 'SMARTQUEUE_CONFIG', 'PUBLIC_URL', 'CLOUD_URL', 'ENROLL_TOKEN']) delete env[key];
  return { ...env, ...extra };
}

type Started = { url: string; output: () => string; stop(): Promise<number | null> };

/** `npm start -- <args>` without the UI build: the same program the npm script runs. */
async function npmStart(dataDir: string, args: string[], env: Record<string, string> = {}): Promise<Started> {
  const child = spawn(process.execPath, [...SOURCE_START, 'branch-server/cli/start.ts', ...args], {
    cwd: ROOT, env: cleanEnv({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, ...env }), stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => { out += c; });
  child.stderr.setEncoding('utf8').on('data', (c: string) => { out += c; });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => {
    running.delete(child);
    done(code);
  }));
  const url = await new Promise<string>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`not started after 60 s:\n${out}`)), 60_000);
    child.stdout.on('data', () => {
      const match = /running on (http:\/\/[^\s]+)/.exec(out);
      if (match && out.includes('Manager:')) {
        clearTimeout(timer);
        done(match[1]!);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      fail(Object.assign(new Error(`exited (${code}) before it was up:\n${out}`), { code, out }));
    });
  });
  return {
    url,
    output: () => out,
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

async function eventually<T>(fn: () => Promise<T>, ok: (value: T) => boolean, ms = 20_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (ok(value) || Date.now() > until) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const post = async (url: string, path: string, body: unknown, token?: string) => {
  const res = await fetch(`${url}${path}`, {
    method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() as Record<string, unknown> };
};

describe('npm start -- --cloud-url … --enroll …', () => {
  it('enrolls a fresh branch on first start (no demo tenant), syncs, and on the next start keeps its enrollment', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sq-enroll-'));
    dirs.push(dataDir);
    const first = await npmStart(dataDir, ['--cloud-url', cloud.url, '--enroll', await enrollmentToken(cloud, acme.tenantId, acme.siteId)]);
    expect(first.output()).toContain(`Enrolled with ${cloud.url} as acme (acme), site acme main.`);
    expect(first.output()).not.toMatch(/Admin password/);

    // HQ's admin signs in at the branch once the first sync has brought the staff.
    const login = await eventually(() => post(first.url, '/api/v1/auth/', { email: acme.adminEmail, password: acme.adminPassword }), (r) => r.status === 200);
    expect(login.status).toBe(200);
    const status = await eventually(
      async () => (await fetch(`${first.url}/api/v1/sync/status/`, { headers: { authorization: `Bearer ${String(login.body['token'])}` } })).json() as Promise<Record<string, unknown>>,
      (s) => s['state'] === 'online' && s['outbox_depth'] === 0,
    );
    expect(status).toMatchObject({ state: 'online', outbox_depth: 0, tenant: { slug: 'acme' }, site: { id: acme.siteId } });
    // The enrollment's audit row reached HQ.
    const audit = await cloud.db.db.selectFrom('audit_log').select('action').where('tenant_id', '=', acme.tenantId).where('action', '=', 'sync.enrolled').execute();
    expect(audit).toHaveLength(1);
    expect(await first.stop()).toBe(0);

    // The same command again (the token is still in the shell history or the environment): ignored.
    const second = await npmStart(dataDir, [], { CLOUD_URL: cloud.url, ENROLL_TOKEN: 'already-used-token-123456' });
    expect(second.output()).toContain('ENROLL_TOKEN ignored: this branch is already enrolled.');
    expect(second.output()).toContain(`Sync: enrolled with ${cloud.url} as acme / acme main`);
    // (The tsx CLI relays SIGTERM once it has heard that the program listens for it: give it a moment.)
    expect((await fetch(`${second.url}/api/v1/health/`)).status).toBeLessThan(600);
    await new Promise((r) => setTimeout(r, 500));
    const code = await second.stop();
    expect(code, second.output()).toBe(0);
  }, 120_000);

  it('refuses an unknown flag and --enroll without a cloud URL, with exit code 2', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sq-enroll-'));
    dirs.push(dataDir);
    const unknown = await npmStart(dataDir, ['--clowd-url', 'http://x']).catch((e: { code: number; out: string }) => e);
    expect(unknown).toMatchObject({ code: 2, out: expect.stringContaining('Unknown flag --clowd-url') });
    const lonely = await npmStart(dataDir, ['--enroll', 'some-token-1234567890']).catch((e: { code: number; out: string }) => e);
    expect(lonely).toMatchObject({ code: 2, out: expect.stringContaining('needs CLOUD_URL') });
  }, 60_000);
});
