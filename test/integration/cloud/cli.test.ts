import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RawDevice } from '../../helpers/cloud.ts';
import { HqClient } from '../../helpers/hq.ts';

const ROOT = join(import.meta.dirname, '../../..');
const dataDir = mkdtempSync(join(tmpdir(), 'sq-cloud-cli-'));
// The CLIs on an embedded PGlite directory, whatever the test run uses.
const { DATABASE_URL: _ignored, ...baseEnv } = process.env;
const env = { ...baseEnv, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1' };
let server: ChildProcess | null = null;

afterAll(async () => {
  if (server?.pid && server.exitCode === null) {
    const exited = new Promise((resolve) => server!.once('exit', resolve));
    process.kill(-server.pid, 'SIGTERM');
    await exited;
  }
  rmSync(dataDir, { recursive: true, force: true });
});

/** Runs an npm script to completion, as an operator would. */
function npmRun(script: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '-s', script, '--', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('cloud CLI', () => {
  it('creates a tenant with demo data, prints an enrollment token on its last line, and `npm run cloud` enrolls a branch with it', async () => {
    const created = await npmRun('cloud:create-tenant', [
      '--name', 'Demo Bank', '--slug', 'demo-bank', '--admin-email', 'admin@demo-bank.test', '--admin-password', 'demo-password-1', '--with-demo-data',
    ]);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('Tenant "Demo Bank" (demo-bank) created');
    expect(created.stdout).toContain('A Ouverture de compte, B Retrait, C Conseil');

    const bad = await npmRun('cloud:enroll-token', ['--tenant', 'demo-bank', '--site', 'no-such-site']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('No site "no-such-site"');

    const issued = await npmRun('cloud:enroll-token', ['--tenant', 'demo-bank', '--site', 'dakar-plateau']);
    expect(issued.code).toBe(0);
    const token = issued.stdout.trim().split('\n').at(-1)!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);

    server = spawn('npm', ['run', '-s', 'cloud'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      server!.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const match = /running on (http:\/\/\S+)/.exec(out);
        if (match) resolve(match[1]!);
      });
      server!.once('exit', (code) => reject(new Error(`npm run cloud exited with ${code}: ${out}`)));
    });
    const health = await fetch(`${url}/api/v1/health/`);
    expect(health.status).toBe(200);

    const device = new RawDevice(url);
    const enrolled = await device.enroll(token);
    expect(enrolled.status).toBe(201);
    expect(enrolled.body.tenant.slug).toBe('demo-bank');
    expect(enrolled.body.site).toMatchObject({ slug: 'dakar-plateau', name: 'Dakar Plateau' });
    expect((await new RawDevice(url).enroll(token)).status).toBe(400);

    const admin = await HqClient.signIn(url, 'admin@demo-bank.test', 'demo-password-1');
    const branches = await admin.get('/api/v1/tenants/demo-bank/branches/');
    expect(branches.body.results).toEqual([expect.objectContaining({ id: device.deviceId, site_name: 'Dakar Plateau' })]);
  }, 300_000);

  it('refuses bad arguments with the usage and exit code 2', async () => {
    const res = await npmRun('cloud:create-tenant', ['--name', 'X', '--slug', 'Not A Slug']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('--slug');
    expect(res.stderr).toContain('Usage: npm run cloud:create-tenant');
  }, 60_000);
});
