import { randomUUID } from 'node:crypto';
import { uuidv7 } from '../../branch-server/ids.ts';
import { RawDevice, enrollmentToken, type SeededCloudTenant, type TestCloud } from './cloud.ts';
import type { HqClient } from './hq.ts';

/**
 * A known synthetic history for HQ analytics, uploaded through the real sync push route, and the
 * expected figures computed here from the same tickets, in plain TypeScript, independently of the
 * cloud's rollups and SQL.
 */

export type SynthTicket = {
  id: string; site: string; queue: string; service: string; channel: string; agent: string | null; status: string;
  created_at: number; called_at: number | null; started_at: number | null; ended_at: number | null; number: string;
};
export type SynthFeedback = { id: string; site: string; ticket: string; csat: number | null; nps: number | null; comment: string; created_at: number };

export type HqWorld = {
  slug: string;
  sites: { id: string; name: string; timezone: string }[];
  services: { id: string; name: string; sla: number }[];
  queues: { id: string; site: string; service: string; prefix: string }[];
  agents: string[];
  tickets: SynthTicket[];
  feedback: SynthFeedback[];
};

/** mulberry32: the same "random" history on every run. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const CHANNELS = ['kiosk', 'web', 'whatsapp'] as const;

/**
 * Builds the tenant's reference data through the HQ API (two sites in different time zones, two
 * services with different SLAs, three queues, two agents), then `days` days of tickets from
 * `firstDay` and feedback on a third of the served ones.
 */
export async function buildWorld(admin: HqClient, tenant: SeededCloudTenant, firstDay: string, days: number, perDay: number, seed = 7): Promise<HqWorld> {
  const base = `/api/v1/tenants/${tenant.slug}`;
  const ok = <T>(res: { status: number; body: T }, what: string): T => {
    if (res.status >= 300) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  await admin.patch(`${base}/sites/${tenant.siteId}/`, { name: 'Dakar Plateau', timezone: 'Africa/Dakar', latitude: 14.67, longitude: -17.43 });
  const paris = ok(await admin.post(`${base}/sites/`, { name: 'Paris Opéra', timezone: 'Europe/Paris', latitude: 48.87, longitude: 2.33 }), 'site') as { id: string };
  const sites = [{ id: tenant.siteId, name: 'Dakar Plateau', timezone: 'Africa/Dakar' }, { id: paris.id, name: 'Paris Opéra', timezone: 'Europe/Paris' }];
  const accounts = ok(await admin.post(`${base}/queues/services/`, { name: 'Comptes', sla_seconds: 600 }), 'service') as { id: string };
  const loans = ok(await admin.post(`${base}/queues/services/`, { name: 'Crédits', sla_seconds: 300 }), 'service') as { id: string };
  const services = [{ id: accounts.id, name: 'Comptes', sla: 600 }, { id: loans.id, name: 'Crédits', sla: 300 }];
  const queueDefs = [
    { site: sites[0]!.id, service: accounts.id, prefix: 'A' },
    { site: sites[0]!.id, service: loans.id, prefix: 'C' },
    { site: sites[1]!.id, service: accounts.id, prefix: 'P' },
  ];
  const queues = [];
  for (const q of queueDefs) {
    const made = ok(await admin.post(`${base}/queues/`, { site: q.site, service: q.service, name: `File ${q.prefix}`, prefix: q.prefix }), 'queue') as { id: string };
    queues.push({ ...q, id: made.id });
  }
  const agents: string[] = [];
  for (const name of ['awa', 'bruno']) {
    const made = ok(await admin.post(`${base}/members/`, {
      email: `${name}@${tenant.slug}.test`, password: 'agent-password-1', first_name: name, last_name: 'Agent', role: 'agent', queue_ids: queues.map((q) => q.id),
    }), 'member') as { id: string };
    agents.push(made.id);
  }

  const random = prng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const tickets: SynthTicket[] = [];
  const feedback: SynthFeedback[] = [];
  const start = Date.parse(`${firstDay}T00:00:00Z`);
  for (let d = 0; d < days; d += 1) {
    for (let i = 0; i < perDay; i += 1) {
      const queue = pick(queues);
      // Spread over 06:00–20:00 UTC, so local days and hours differ between Dakar (UTC) and Paris.
      const created = start + d * 86_400_000 + Math.floor((6 + random() * 14) * 3_600_000);
      const roll = random();
      const wait = Math.floor(random() * 2_400_000);
      const service = 60_000 + Math.floor(random() * 840_000);
      const agent = pick(agents);
      const t: SynthTicket = {
        id: uuidv7(created), site: queue.site, queue: queue.id, service: queue.service, channel: pick(CHANNELS), agent: null, status: 'en_attente',
        created_at: created, called_at: null, started_at: null, ended_at: null, number: `${queue.prefix}${String(i + 1).padStart(3, '0')}`,
      };
      if (roll >= 0.15) {
        t.called_at = created + wait;
        t.agent = agent;
        if (roll < 0.25) t.status = 'no_show';
        else {
          t.status = 'clos';
          t.started_at = t.called_at + 20_000;
          t.ended_at = t.started_at + service;
        }
      }
      tickets.push(t);
      if (t.status === 'clos' && random() < 0.35) {
        const nps = Math.floor(random() * 11);
        feedback.push({
          id: randomUUID(), site: t.site, ticket: t.id, csat: random() < 0.9 ? 1 + Math.floor(random() * 5) : null, nps,
          comment: random() < 0.3 ? `avis ${feedback.length}` : '', created_at: t.ended_at! + 60_000,
        });
      }
    }
  }
  return { slug: tenant.slug, sites, services, queues, agents, tickets, feedback };
}

/**
 * Uploads the world through POST /sync/v1/push, one enrolled branch per site: every ticket first as
 * it was on arrival (waiting), then its final state as a later version of the same row, so the
 * rollups go through both the insert and the replace path.
 */
export async function uploadWorld(cloud: TestCloud, tenant: SeededCloudTenant, world: HqWorld): Promise<void> {
  for (const site of world.sites) {
    const device = new RawDevice(cloud.url);
    const enrolled = await device.enroll(await enrollmentToken(cloud, tenant.tenantId, site.id));
    if (enrolled.status !== 201) throw new Error(`enroll: ${JSON.stringify(enrolled.body)}`);
    await device.signIn();
    const stream = randomUUID();
    let seq = 0;
    const row = (entity: string, payload: Record<string, unknown>, op: 'insert' | 'update' = 'insert') => {
      seq += 1;
      return { seq, mutation_id: uuidv7(), entity, entity_id: String(payload['id']), op, payload, created_at: Number(payload['created_at']) };
    };
    const mine = world.tickets.filter((t) => t.site === site.id);
    const payload = (t: SynthTicket, final: boolean) => ({
      id: t.id, tenant_id: tenant.tenantId, site_id: t.site, queue_id: t.queue, number: t.number, status: final ? t.status : 'en_attente',
      channel: t.channel, priority: 0, created_at: t.created_at, updated_at: final ? (t.ended_at ?? t.called_at ?? t.created_at) : t.created_at,
      called_at: final ? t.called_at : null, started_at: final ? t.started_at : null, ended_at: final ? t.ended_at : null,
      agent_id: final ? t.agent : null, customer_id: null,
    });
    const rows = [
      ...mine.map((t) => row('ticket', payload(t, false))),
      ...mine.map((t) => row('ticket', payload(t, true), 'update')),
      ...world.feedback.filter((f) => f.site === site.id).map((f) => row('feedback', {
        id: f.id, tenant_id: tenant.tenantId, site_id: f.site, ticket_id: f.ticket, customer_id: null, csat: f.csat, nps: f.nps,
        comment: f.comment, created_at: f.created_at,
      })),
    ];
    for (let i = 0; i < rows.length; i += 400) {
      const res = await device.call('POST', '/sync/v1/push', {
        stream_id: stream, rows: rows.slice(i, i + 400), outbox_depth: 0, oldest_unsent_ms: null, clock_offset_ms: 0, app_version: 'synthetic',
      });
      if (res.status !== 200 || res.body.rejected.length > 0) throw new Error(`push: ${res.status} ${JSON.stringify(res.body).slice(0, 500)}`);
    }
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();
/** The local calendar day, hour and ISO weekday of an instant in a time zone (the test's own clock arithmetic). */
export function localParts(ms: number, timeZone: string): { day: string; hour: number; weekday: number } {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  const day = `${parts['year']}-${parts['month']}-${parts['day']}`;
  const weekday = ((new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7) + 1;
  return { day, hour: Number(parts['hour']), weekday };
}

export type Filter = { from: string; to: string; site?: string; service?: string; queue?: string; channel?: string; agent?: string };

/** The figures a report over `filter` must show, computed ticket by ticket. */
export function expectedFigures(world: HqWorld, filter: Filter) {
  const tz = new Map(world.sites.map((s) => [s.id, s.timezone]));
  const sla = new Map(world.services.map((s) => [s.id, s.sla]));
  const selected = world.tickets.filter((t) => {
    const { day } = localParts(t.created_at, tz.get(t.site)!);
    return day >= filter.from && day <= filter.to && (!filter.site || t.site === filter.site) && (!filter.service || t.service === filter.service)
      && (!filter.queue || t.queue === filter.queue) && (!filter.channel || t.channel === filter.channel) && (!filter.agent || t.agent === filter.agent);
  });
  const called = selected.filter((t) => t.called_at !== null);
  const waits = called.map((t) => t.called_at! - t.created_at).sort((a, b) => a - b);
  const served = selected.filter((t) => t.status === 'clos');
  // Nearest rank, then the upper edge of its 30-second bucket (the documented definition).
  const percentile = (p: number) => {
    if (waits.length === 0) return null;
    const value = waits[Math.max(1, Math.ceil(p * waits.length)) - 1]!;
    return (Math.min(Math.floor(value / 30_000), 239) + 1) * 30;
  };
  const heat = new Map<string, number>();
  for (const t of selected) {
    const { hour, weekday } = localParts(t.created_at, tz.get(t.site)!);
    heat.set(`${weekday}:${hour}`, (heat.get(`${weekday}:${hour}`) ?? 0) + 1);
  }
  const ids = new Set(selected.map((t) => t.id));
  const fb = world.feedback.filter((f) => ids.has(f.ticket));
  const csat = fb.filter((f) => f.csat !== null);
  const nps = fb.filter((f) => f.nps !== null);
  const promoters = nps.filter((f) => f.nps! >= 9).length;
  const detractors = nps.filter((f) => f.nps! <= 6).length;
  return {
    arrivals: selected.length,
    called: called.length,
    served: served.length,
    no_show: selected.filter((t) => t.status === 'no_show').length,
    abandoned: selected.length - called.length,
    sla_met: called.filter((t) => t.called_at! - t.created_at <= sla.get(t.service)! * 1000).length,
    avg_wait_seconds: called.length ? Math.round(waits.reduce((a, b) => a + b, 0) / called.length / 1000) : null,
    avg_service_seconds: served.length ? Math.round(served.reduce((a, t) => a + (t.ended_at! - t.started_at!), 0) / served.length / 1000) : null,
    median_wait_seconds: percentile(0.5),
    p90_wait_seconds: percentile(0.9),
    heat,
    perDay: (() => {
      const m = new Map<string, number>();
      for (const t of selected) {
        const { day } = localParts(t.created_at, tz.get(t.site)!);
        m.set(day, (m.get(day) ?? 0) + 1);
      }
      return m;
    })(),
    feedback: {
      responses: fb.length,
      csat_avg: csat.length ? Math.round((csat.reduce((a, f) => a + f.csat!, 0) / csat.length) * 100) / 100 : null,
      nps: nps.length ? Math.round(((promoters - detractors) / nps.length) * 100) : null,
    },
  };
}
