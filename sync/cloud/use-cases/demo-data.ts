import type { CloudTx } from '../db/database.ts';
import { insertQueue } from './queues.ts';
import { insertService } from './services.ts';
import { insertSite } from './sites.ts';
import { insertTemplate } from './templates.ts';

export type CloudDemo = Readonly<{
  siteId: string;
  services: { id: string; name: string }[];
  queues: { id: string; name: string; prefix: string }[];
}>;

/** The branch's demo (branch-server/use-cases/create-tenant.ts): three services, one queue each. */
const DEMO_SERVICES = [
  { name: 'Ouverture de compte', code: 'OUV', prefix: 'A', sla: 900, avg: 600, algorithm: 'fifo' as const },
  { name: 'Retrait', code: 'RET', prefix: 'B', sla: 300, avg: 180, algorithm: 'priority' as const },
  { name: 'Conseil', code: 'CON', prefix: 'C', sla: 1200, avg: 900, algorithm: 'sla' as const },
];

const DEMO_TEMPLATES = [
  ['ticket_created', 'SmartQueue: votre ticket {{ticket_number}} ({{queue_name}}). {{position}} personne(s) avant vous, environ {{eta_minutes}} min. Suivi : {{tracking_url}}'],
  ['ticket_called', 'SmartQueue: le ticket {{ticket_number}} est appelé au {{counter}}. Merci de vous présenter.'],
] as const;

/**
 * Demo reference data made at HQ: the site "Dakar Plateau", three services with their queues and two
 * SMS templates, each through the same inserts (and feed changes) as the HQ API, in the caller's
 * transaction. Staff are left to the admin (their passwords must be chosen, not printed).
 */
export async function seedCloudDemo(trx: CloudTx, tenantId: string, now: number): Promise<CloudDemo> {
  const site = await insertSite(trx, tenantId, {
    name: 'Dakar Plateau', slug: 'dakar-plateau', address: 'Avenue Léopold Sédar Senghor', city: 'Dakar', country: 'SN',
    latitude: 14.6708, longitude: -17.4381, timezone: 'Africa/Dakar', phone: '+221 33 800 00 00',
  }, now);
  const services: CloudDemo['services'] = [];
  const queues: CloudDemo['queues'] = [];
  for (const s of DEMO_SERVICES) {
    const service = await insertService(trx, tenantId, { name: s.name, code: s.code, sla_seconds: s.sla, default_service_seconds: s.avg }, now);
    services.push({ id: service.id, name: service.name });
    const queue = await insertQueue(trx, tenantId, { site: site.id, service: service.id, name: s.name, prefix: s.prefix, algorithm: s.algorithm }, now);
    queues.push({ id: queue.id, name: queue.name, prefix: queue.prefix });
  }
  for (const [key, body] of DEMO_TEMPLATES) await insertTemplate(trx, tenantId, { key, channel: 'sms', language: 'fr', body }, now);
  return { siteId: site.id, services, queues };
}
