import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qb } from '../../../branch-server/db/sqlite.ts';
import { verifyAuditChain } from '../../../branch-server/db/repositories/audit.repository.ts';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../../helpers/server.ts';

describe('ticket issuance under concurrent load (group commit)', () => {
  let t: TestServer;
  let d: DemoTenant;
  beforeAll(async () => {
    t = await startTestServer();
    d = await seedDemoTenant(t);
  });
  afterAll(() => t.close());

  it('fails a bad request alone when it shares a commit with good ones', async () => {
    const { db } = t.server.deps;
    const [open, closed] = [d.demo.queues[0]!.id, d.demo.queues[2]!.id];
    db.run(qb.updateTable('queue').set({ status: 'closed' }).where('id', '=', closed));
    const before = db.raw<{ n: number }>('SELECT count(*) AS n FROM ticket')[0]!.n;

    const requests = Array.from({ length: 40 }, (_, i) => {
      const queue = i % 4 === 3 ? closed : i % 4 === 2 ? '00000000-0000-7000-8000-000000000000' : open;
      return t.api('POST', `/api/v1/tenants/${d.slug}/tickets/`, { token: d.adminToken, body: { queue, customer_phone: '+221770000000' } });
    });
    const answers = await Promise.all(requests);

    const ok = answers.filter((a) => a.status === 201);
    expect(ok).toHaveLength(20);
    expect(answers.filter((a) => a.status === 400).map((a) => a.body.code).sort()).toEqual([
      ...Array(10).fill('invalid-reference'), ...Array(10).fill('queue-closed'),
    ]);
    // Exactly the acknowledged tickets exist, numbered without gaps, each fully journaled.
    expect(db.raw<{ n: number }>('SELECT count(*) AS n FROM ticket')[0]!.n).toBe(before + 20);
    const numbers = ok.map((a) => a.body.number as string).sort();
    expect(numbers).toEqual(Array.from({ length: 20 }, (_, i) => `A${String(i + 1).padStart(3, '0')}`));
    for (const answer of ok) {
      const events = db.raw<{ n: number }>(`SELECT count(*) AS n FROM ticket_event WHERE ticket_id = ? AND type = 'ticket.created'`, answer.body.id);
      expect(events[0]!.n).toBe(1);
    }
    expect(verifyAuditChain(db).ok).toBe(true);
  });
});
