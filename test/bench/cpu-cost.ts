import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Api, buildServer, round, spawnServer } from './lib.ts';
import { ADMIN, createTenantOn, SLUG } from './tenant.ts';
import { appInclusive, summariseProfiles } from './cpu-profile.ts';

/**
 * `npm run bench:cpu`: the server's own CPU time (user + system, from /proc) per issued ticket and per
 * call-next + close. Unlike latencies, CPU time hardly depends on what else the machine runs, so it is
 * the figure to compare before/after a change on a shared machine (seconds, where `bench:instructions`
 * takes a quarter of an hour under valgrind).
 *
 * The queues are filled to CPU_WAITING tickets each first (a rush's line), then CPU_TICKETS tickets are
 * issued at concurrency 16 and CPU_CALLS call-next + close cycles run.
 */

const env = (name: string, fallback: number) => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value >= 0 ? value : fallback;
};
const WAITING = env('CPU_WAITING', 600);
const TICKETS = env('CPU_TICKETS', 2000);
const CALLS = env('CPU_CALLS', 300);
const CONCURRENCY = 16;
const log = (line: string) => process.stdout.write(`${line}\n`);

/** User + system CPU of a process in ms (/proc/<pid>/stat, clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function issueMany(api: Api, token: string, queues: readonly string[], count: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const queue = queues[next % queues.length]!;
      next += 1;
      await api.expect(201, 'POST', `/api/v1/tenants/${SLUG}/tickets/`, { token, body: { queue, channel: 'kiosk' } });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

async function main(): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'sq-cpu-'));
  await buildServer();
  const tenant = await createTenantOn(join(tmp, 'data'));
  const profDir = process.env['CPU_PROF_DIR'];
  const server = await spawnServer({ dataDir: tenant.dataDir, cpuProfDir: profDir });
  try {
    const api = new Api(server.url, CONCURRENCY);
    const token = (await api.expect(200, 'POST', '/api/v1/auth/', { body: ADMIN })).body.token as string;
    const queues = tenant.demo.queues.map((q) => q.id);
    await issueMany(api, token, queues, WAITING * queues.length);
    const c0 = cpuMs(server.pid);
    const t0 = performance.now();
    await issueMany(api, token, queues, TICKETS);
    const issueCpu = (cpuMs(server.pid) - c0) / TICKETS;
    const issueWall = (performance.now() - t0) / TICKETS;
    const agent = tenant.demo.agents[0]!;
    const agentToken = (await api.expect(200, 'POST', '/api/v1/auth/', { body: { email: agent.email, password: agent.password } })).body.token as string;
    const c1 = cpuMs(server.pid);
    for (let i = 0; i < CALLS; i += 1) {
      const res = await api.expect(200, 'POST', `/api/v1/tenants/${SLUG}/agents/call-next/`, { token: agentToken, body: {} });
      await api.expect(200, 'POST', `/api/v1/tenants/${SLUG}/tickets/${res.body.id as string}/close/`, { token: agentToken, body: {} });
    }
    const callCpu = (cpuMs(server.pid) - c1) / CALLS;
    api.close();
    log(`server CPU per issued ticket: ${round(issueCpu, 3)} ms (wall ${round(issueWall, 3)} ms/ticket at concurrency ${CONCURRENCY}; ${WAITING} waiting per queue before)`);
    log(`server CPU per call-next + close: ${round(callCpu, 3)} ms`);
  } finally {
    await server.stop();
    if (profDir) {
      const { hotspots } = summariseProfiles(profDir, 25);
      for (const h of hotspots) log(`${round(h.selfMs, 0)} ms self, ${round(h.totalMs, 0)} ms incl  ${h.name}`);
      log('app code by inclusive time:');
      for (const h of appInclusive(profDir, 30)) log(`${round(h.totalMs, 0)} ms  ${h.name}`);
    }
    rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
