import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../branch-server/db/repositories/audit.repository.ts';
import { Db } from '../../branch-server/db/sqlite.ts';
import { verifyPassword } from '../../branch-server/http/passwords.ts';
import { SOURCE_START } from '../helpers/source-start.ts';

const ROOT = resolve(import.meta.dirname, '../..');

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sq-cli-'));
  dirs.push(dir);
  return dir;
}
const running = new Set<ReturnType<typeof spawn>>();
afterAll(() => {
  for (const child of running) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** The environment of a clean shell: none of the settings the CLIs read leaks in from the runner. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of ['PORT', 'HOST', 'DATA_DIR', 'DEMO_TENANT', 'SMARTQUEUE_CONFIG', 'PUBLIC_URL']) delete env[key];
  return { ...env, ...extra };
}

type Finished = { code: number | null; stdout: string; stderr: string };

function run(command: string, args: string[], env: Record<string, string>): Promise<Finished> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd: ROOT, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => { stdout += c; });
    child.stderr.setEncoding('utf8').on('data', (c: string) => { stderr += c; });
    child.once('error', fail);
    child.once('close', (code) => {
      running.delete(child);
      done({ code, stdout, stderr });
    });
  });
}

// The failing runs skip the tsx CLI's extra process (one Node start instead of two): same program, same loader.
const createTenant = (dataDir: string, args: string[]) =>
  run(process.execPath, ['--import', 'tsx', 'branch-server/cli/create-tenant.ts', ...args], { DATA_DIR: dataDir });

const DEMO_ARGS = ['--name', 'Banque Démo', '--slug', 'banque-demo', '--admin-email', 'Admin@Banque-Demo.sn', '--admin-password', 'tres-secret-1', '--with-demo-data'];

describe('npm run create-tenant', () => {
  const dataDir = tempDir();

  it('creates the tenant, its admin and the demo data (site in Dakar, 3 services and queues, 3 agents, 2 customers, 2 templates)', async () => {
    const result = await run('npm', ['run', '--silent', 'create-tenant', '--', ...DEMO_ARGS], { DATA_DIR: dataDir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('banque-demo');

    const sqlite = new Database(join(dataDir, 'branch.sqlite'), { readonly: true });
    try {
      const one = (sqlText: string, ...params: unknown[]) => sqlite.prepare(sqlText).pluck().get(...params);
      const all = (sqlText: string, ...params: unknown[]) => sqlite.prepare(sqlText).pluck().all(...params);
      const tenantId = one(`SELECT id FROM tenant WHERE slug = 'banque-demo'`) as string;
      expect(one(`SELECT name FROM tenant WHERE id = ?`, tenantId)).toBe('Banque Démo');
      expect(all(`SELECT timezone FROM site WHERE tenant_id = ?`, tenantId)).toEqual(['Africa/Dakar']);
      expect(all(`SELECT name FROM service WHERE tenant_id = ? ORDER BY name`, tenantId)).toEqual(['Conseil', 'Ouverture de compte', 'Retrait']);
      expect(all(`SELECT prefix FROM queue WHERE tenant_id = ? ORDER BY prefix`, tenantId)).toEqual(['A', 'B', 'C']);
      expect(all(`SELECT role FROM tenant_membership WHERE tenant_id = ? ORDER BY role`, tenantId)).toEqual(['admin', 'agent', 'agent', 'agent']);
      expect(one(`SELECT count(*) FROM agent_profile WHERE tenant_id = ?`, tenantId)).toBe(3);
      expect(one(`SELECT count(*) FROM customer WHERE tenant_id = ?`, tenantId)).toBe(2);
      expect(one(`SELECT count(*) FROM notification_template WHERE tenant_id = ?`, tenantId)).toBe(2);
      // The e-mail is stored normalised, the password only as a hash that verifies.
      const hash = one(`SELECT password_hash FROM user WHERE email = 'admin@banque-demo.sn'`) as string;
      expect(hash).not.toContain('tres-secret-1');
      expect(await verifyPassword(hash, 'tres-secret-1')).toBe(true);
      expect(verifyAuditChain(new Db(sqlite)).ok).toBe(true);
    } finally {
      sqlite.close();
    }
  });

  it('refuses a slug that is taken, with a clear message and a non-zero exit', async () => {
    const result = await createTenant(dataDir, DEMO_ARGS);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/slug "banque-demo" already exists/);
    expect(result.stderr).not.toMatch(/^\s+at /m); // a message, not a stack trace
    const sqlite = new Database(join(dataDir, 'branch.sqlite'), { readonly: true });
    expect(sqlite.prepare('SELECT count(*) FROM tenant').pluck().get()).toBe(1);
    sqlite.close();
  });

  it('exits 2 with the usage when arguments are missing or wrong, touching nothing', async () => {
    const empty = tempDir();
    const wrong = await createTenant(empty, ['--name', 'X', '--admin-email', 'not-an-email', '--admin-password', 'short']);
    expect(wrong.code).toBe(2);
    for (const flag of ['--slug', '--admin-email', '--admin-password']) expect(wrong.stderr).toContain(flag);
    expect(wrong.stderr).toContain('Usage: npm run create-tenant --');

    // What `npm run create-tenant --name X …` (without `--`) hands the script: values without their flags.
    const stray = await createTenant(empty, ['Banque', 'banque']);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain('Usage:');
    expect(stray.stderr).not.toMatch(/^\s+at /m);
    expect(existsSync(join(empty, 'branch.sqlite'))).toBe(false);
  });
});

type Started = { url: string; output: () => string; stop(signal: NodeJS.Signals): Promise<{ code: number | null; ms: number }> };

async function npmStart(dataDir: string): Promise<Started> {
  const child = spawn(process.execPath, [...SOURCE_START, 'branch-server/cli/start.ts'], {
    cwd: ROOT, env: cleanEnv({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir }), stdio: ['ignore', 'pipe', 'pipe'],
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
    const timer = setTimeout(() => fail(new Error(`not started after 30 s:\n${out}`)), 30_000);
    child.stdout.on('data', () => {
      const match = /running on (http:\/\/[^\s]+)/.exec(out);
      if (match && out.includes('Manager:')) {
        clearTimeout(timer);
        done(match[1]!);
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      fail(new Error(`exited before it was up:\n${out}`));
    });
  });
  return {
    url,
    output: () => out,
    async stop(signal) {
      const from = Date.now();
      child.kill(signal);
      const code = await exited;
      return { code, ms: Date.now() - from };
    },
  };
}

async function login(url: string, email: string, password: string): Promise<number> {
  const res = await fetch(`${url}/api/v1/auth/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  await res.text();
  return res.status;
}

describe('npm start', () => {
  it('creates the demo tenant on first start and shows its admin password once, then shuts down on SIGTERM', async () => {
    const dataDir = tempDir();
    const first = await npmStart(dataDir);
    expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(Number(new URL(first.url).port)).toBeGreaterThan(0);
    const email = /Admin login:\s+(\S+)/.exec(first.output())?.[1];
    const password = /Admin password:\s+(\S+)/.exec(first.output())?.[1];
    expect(email).toBe('admin@demo-bank.com');
    expect(password).toMatch(/^\S{8,}$/);
    // The fetch above keeps an idle keep-alive connection open: shutdown must not wait for it.
    expect(await login(first.url, email!, password!)).toBe(200);
    const stopped = await first.stop('SIGTERM');
    expect(stopped.code).toBe(0);
    expect(stopped.ms).toBeLessThan(5_000);
    expect(first.output()).toContain('SIGTERM received');

    const second = await npmStart(dataDir);
    expect(second.output()).not.toMatch(/password/i);
    expect(second.output()).toContain('demo-bank');
    expect(await login(second.url, email!, password!)).toBe(200);
    const again = await second.stop('SIGTERM');
    expect(again.code).toBe(0);
    expect(again.ms).toBeLessThan(5_000);
  }, 90_000);
});
