import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Api, buildServer, round, spawnServer, type ServerChild } from './lib.ts';
import { ADMIN, createTenantOn, SLUG, type Tenant } from './tenant.ts';

/**
 * `npm run bench:instructions`: CPU instructions the server executes per issued ticket and per
 * call-next + close, counted by valgrind (callgrind). Unlike wall-clock figures, instruction counts
 * barely move when other processes share the CPU, so before/after comparisons hold on a busy machine.
 *
 * The queues are first filled to INSTR_WAITING waiting tickets each by a normal server (the bench's
 * issue phase ends near 870 each); then the server runs under callgrind, instrumentation is switched on
 * after a warm-up, and INSTR_TICKETS tickets are issued at concurrency 16, then INSTR_CALLS call-next +
 * close cycles are run. Startup is not counted (instrumentation off until then).
 */

const env = (name: string, fallback: number) => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value >= 0 ? value : fallback;
};
const WAITING = env('INSTR_WAITING', 600);
const TICKETS = env('INSTR_TICKETS', 300);
const CALLS = env('INSTR_CALLS', 60);
const CONCURRENCY = 16;
/** 'source' runs the server through tsx (to measure a checkout from before the bundle existed). */
const ENTRY: 'source' | 'bundle' = process.env['INSTR_ENTRY'] === 'source' ? 'source' : 'bundle';

const log = (line: string) => process.stdout.write(`${line}\n`);

async function issueMany(api: Api, token: string, tenant: Tenant, count: number): Promise<void> {
  const queues = tenant.demo.queues;
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const queue = queues[next % queues.length]!.id;
      next += 1;
      await api.expect(201, 'POST', `/api/v1/tenants/${SLUG}/tickets/`, { token, body: { queue, channel: 'kiosk' } });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

async function callAndClose(api: Api, agent: string, count: number): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    const res = await api.expect(200, 'POST', `/api/v1/tenants/${SLUG}/agents/call-next/`, { token: agent, body: {} });
    await api.expect(200, 'POST', `/api/v1/tenants/${SLUG}/tickets/${res.body.id as string}/close/`, { token: agent, body: {} });
  }
}

async function login(api: Api, email: string, password: string): Promise<string> {
  return (await api.expect(200, 'POST', '/api/v1/auth/', { body: { email, password } })).body.token as string;
}

/**
 * valgrind and vgdb (behind callgrind_control) name their rendezvous files after the HOST variable,
 * which the server's environment sets (its bind address): vgdb must see the same value.
 */
const VGDB_ENV = { HOST: '127.0.0.1' };

function control(pid: number, ...args: string[]): string {
  return execFileSync('callgrind_control', [...args, String(pid)], { encoding: 'utf8', env: { ...process.env, ...VGDB_ENV } });
}

/** Dumps the counters and returns the instructions (Ir) counted since the last zeroing. */
function dumpIr(pid: number, outDir: string): number {
  const before = new Set(readdirSync(outDir));
  control(pid, '-d');
  const file = readdirSync(outDir).find((f) => !before.has(f) && f.startsWith('cg.out'));
  if (!file) throw new Error('callgrind wrote no dump');
  const text = readFileSync(join(outDir, file), 'utf8');
  const totals = /^(?:totals|summary):\s+(\d+)/m.exec(text);
  if (!totals) throw new Error(`no totals in ${file}`);
  return Number(totals[1]);
}

async function main(): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'sq-instr-'));
  let server: ServerChild | undefined;
  try {
    if (ENTRY === 'bundle') await buildServer();
    const tenant = await createTenantOn(join(tmp, 'data'));
    const prefill = WAITING * tenant.demo.queues.length;
    if (prefill > 0) {
      server = await spawnServer({ dataDir: tenant.dataDir, entry: ENTRY });
      const api = new Api(server.url);
      const started = performance.now();
      await issueMany(api, await login(api, ADMIN.email, ADMIN.password), tenant, prefill);
      api.close();
      await server.stop();
      log(`prefilled ${prefill} waiting tickets (${WAITING} per queue) in ${round((performance.now() - started) / 1000, 1)} s`);
    }

    const outDir = join(tmp, 'callgrind');
    execFileSync('mkdir', ['-p', outDir]);
    server = await spawnServer({
      dataDir: tenant.dataDir,
      entry: ENTRY,
      wrapper: ['valgrind', '--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${join(outDir, 'cg.out')}`, '--dump-instr=no'],
      healthTimeoutMs: 600_000,
    });
    log(`server under callgrind healthy after ${round(server.startMs / 1000, 1)} s (pid ${server.pid})`);
    const api = new Api(server.url);
    const admin = await login(api, ADMIN.email, ADMIN.password);
    const first = tenant.demo.agents[0]!;
    const agent = await login(api, first.email, first.password);
    control(server.pid, '-i', 'on');
    // Warm-up under instrumentation (JIT tiers settle), not counted.
    await issueMany(api, admin, tenant, 48);
    await callAndClose(api, agent, 6);
    control(server.pid, '-z');
    await issueMany(api, admin, tenant, TICKETS);
    const issueIr = dumpIr(server.pid, outDir);
    control(server.pid, '-z');
    await callAndClose(api, agent, CALLS);
    const callIr = dumpIr(server.pid, outDir);
    api.close();

    const perTicket = issueIr / TICKETS;
    const perCall = callIr / CALLS;
    log(`\nInstructions (callgrind Ir), queues at ~${WAITING}–${WAITING + Math.ceil(TICKETS / tenant.demo.queues.length)} waiting each:`);
    log(`  per issued ticket (POST tickets/, concurrency ${CONCURRENCY}, ${TICKETS} tickets): ${round(perTicket / 1e6, 2)} M`);
    log(`  per call-next + close (${CALLS} cycles):                           ${round(perCall / 1e6, 2)} M`);
    process.stdout.write(`${JSON.stringify({ instructions_per_ticket: Math.round(perTicket), instructions_per_call_close: Math.round(perCall) })}\n`);
  } catch (error) {
    if (server) log(`server output (tail):\n${server.output().slice(-3000)}`);
    throw error;
  } finally {
    await server?.stop();
    if (process.env['BENCH_KEEP'] !== '1') rmSync(tmp, { recursive: true, force: true });
    else log(`kept ${tmp}`);
  }
}

main().catch((error: unknown) => {
  log(`failed: ${(error as Error).stack ?? String(error)}`);
  process.exitCode = 1;
});
