import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TicketDto } from '../../../branch-server/contract/tickets.contract.ts';
import { hashPassword } from '../../../branch-server/http/passwords.ts';
import { uuidv7 } from '../../../branch-server/ids.ts';
import { expectJournaledSince, expectStoreInvariants, journalMark } from '../../helpers/journal.ts';
import { seedDemoTenant, startTestServer, type ApiResponse, type DemoTenant, type TestServer } from '../../helpers/server.ts';

// A fixed, injected clock: waits and service times below are exact. Dakar is UTC+0 all year.
const T0 = Date.parse('2025-03-10T09:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

let t: TestServer;
let clock = T0;
const tick = (seconds: number) => {
  clock += seconds * 1000;
};
const serverOptions = { now: () => clock, accessTokenTtlSeconds: 86_400 };

/** This tenant (demo data, signed in) and another one, seeded once into a template data dir. */
let d: DemoTenant;
let other: DemoTenant;
let templateDir: string;
let dataDir: string;

beforeAll(async () => {
  templateDir = mkdtempSync(join(tmpdir(), 'sq-lifecycle-template-'));
  const seeding = await startTestServer({ ...serverOptions, dataDir: templateDir });
  d = await seedDemoTenant(seeding);
  other = await seedDemoTenant(seeding, 'other-bank');
  await seeding.close();
});

afterAll(() => rmSync(templateDir, { recursive: true, force: true }));

// Each test gets its own copy of the seeded database (and of the token secret: the tokens stay valid).
beforeEach(async () => {
  clock = T0;
  dataDir = mkdtempSync(join(tmpdir(), 'sq-lifecycle-'));
  cpSync(templateDir, dataDir, { recursive: true });
  t = await startTestServer({ ...serverOptions, dataDir });
});

afterEach(async () => {
  try {
    expectStoreInvariants(t.server.deps.db);
  } finally {
    await t.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

const db = () => t.server.deps.db;
const base = () => `/api/v1/tenants/${d.slug}`;
const queue = (letter: 'A' | 'B' | 'C') => d.demo.queues.find((q) => q.prefix === letter)!.id;
/** Agent 1 serves A, B and C; agent 2 only B; agent 3 only C. */
const agentId = (i: number) => d.demo.agents[i]!.userId;

async function create(letter: 'A' | 'B' | 'C', extra: Record<string, unknown> = {}): Promise<TicketDto> {
  const res = await t.api('POST', `${base()}/tickets/`, { token: d.adminToken, body: { queue: queue(letter), channel: 'kiosk', ...extra } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as TicketDto;
}

function callNext(agent: number, body: Record<string, unknown> = {}): Promise<ApiResponse<TicketDto & { explanation: any }>> {
  return t.api('POST', `${base()}/agents/call-next/`, { token: d.agentTokens[agent], body });
}

async function called(agent: number, body: Record<string, unknown> = {}) {
  const res = await callNext(agent, body);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

function act(id: string, action: string, token: string | undefined, body?: Record<string, unknown>): Promise<ApiResponse<TicketDto>> {
  return t.api('POST', `${base()}/tickets/${id}/${action}/`, { token, ...(body ? { body } : {}) });
}

async function acted(id: string, action: string, token: string | undefined, body?: Record<string, unknown>): Promise<TicketDto> {
  const res = await act(id, action, token, body);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

async function get(id: string): Promise<TicketDto> {
  const res = await t.api('GET', `${base()}/tickets/${id}/`, { token: d.adminToken });
  expect(res.status).toBe(200);
  return res.body as TicketDto;
}

async function list(query: string): Promise<ApiResponse> {
  return t.api('GET', `${base()}/tickets/${query}`, { token: d.adminToken });
}

function agentStatus(i: number): string {
  return db().sqlite.prepare('SELECT status FROM agent_profile WHERE user_id = ?').pluck().get(agentId(i)) as string;
}

function ticketRow(id: string): Record<string, unknown> {
  return db().sqlite.prepare('SELECT * FROM ticket WHERE id = ?').get(id) as Record<string, unknown>;
}

/** Runs `fn`, expects it refused with `status`/`code`, and nothing changed: tickets, agents, journals. */
async function expectRefused(fn: () => Promise<ApiResponse>, status: number, code: string): Promise<ApiResponse> {
  const snapshot = () => ({
    tickets: db().sqlite.prepare('SELECT * FROM ticket ORDER BY id').all(),
    agents: db().sqlite.prepare('SELECT * FROM agent_profile ORDER BY id').all(),
    counters: db().sqlite.prepare('SELECT * FROM queue_counter ORDER BY queue_id').all(),
  });
  const before = snapshot();
  const mark = journalMark(db());
  const res = await fn();
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.code).toBe(code);
  expect(snapshot()).toEqual(before);
  expectJournaledSince(db(), mark, []);
  return res;
}

async function addManager(): Promise<{ id: string; token: string }> {
  const id = uuidv7(clock);
  const email = `manager@${d.slug}.com`;
  db().sqlite.prepare(`INSERT INTO user (id, email, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`)
    .run(id, email, await hashPassword('manager-password-1'), clock, clock);
  db().sqlite.prepare(`INSERT INTO tenant_membership (id, tenant_id, user_id, role, created_at, updated_at) VALUES (?, ?, ?, 'manager', ?, ?)`)
    .run(uuidv7(clock), d.tenantId, id, clock, clock);
  return { id, token: await t.login(email, 'manager-password-1') };
}

describe('POST tickets/', () => {
  it('numbers each queue A001, A002… with independent sequences and answers position, ETA and tracking URL', async () => {
    const mark = journalMark(db());
    const a1 = await create('A');
    const a2 = await create('A');
    const b1 = await create('B', { channel: 'web', customer_name: 'Awa', customer_phone: '+221 77 000 00 01' });
    const a3 = await create('A');
    const c1 = await create('C');

    expect([a1, a2, b1, a3, c1].map((x) => x.number)).toEqual(['A001', 'A002', 'B001', 'A003', 'C001']);
    expect([a1, a2, b1, a3, c1].map((x) => x.position)).toEqual([1, 2, 1, 3, 1]);
    for (const x of [a1, a2, b1, a3, c1]) {
      expect(x.status).toBe('en_attente');
      expect(x.eta_seconds).toEqual(expect.any(Number));
      expect(x.public_id).toMatch(/^[A-Za-z0-9_-]{16,64}$/);
      expect(x.tracking_url).toBe(`${t.url}/t/${x.public_id}`);
      expect(x.created_at).toBe(iso(T0));
      expect(x.site).toBe(d.demo.siteId);
      expect(x.agent).toBeNull();
    }
    // One agent serves A: each ticket further back waits longer.
    expect(a2.eta_seconds!).toBeGreaterThan(a1.eta_seconds!);
    expect(a3.eta_seconds!).toBeGreaterThan(a2.eta_seconds!);
    expect(b1).toMatchObject({ queue: queue('B'), queue_name: 'Retrait', channel: 'web', customer_name: 'Awa', customer_phone: '+221 77 000 00 01' });
    expect(ticketRow(a3.id)).toMatchObject({ seq: 3, business_date: '2025-03-10', number: 'A003' });

    const events = expectJournaledSince(db(), mark, Array(5).fill('ticket.created'));
    expect(events.map((e) => e.ticket_id)).toEqual([a1.id, a2.id, b1.id, a3.id, c1.id]);
  });

  it('refuses an unknown queue, another tenant\'s queue, a closed queue and a malformed body, issuing nothing', async () => {
    const post = (body: unknown) => () => t.api('POST', `${base()}/tickets/`, { token: d.adminToken, body });

    const unknown = await expectRefused(post({ queue: uuidv7(), channel: 'kiosk' }), 400, 'invalid-reference');
    expect(unknown.body.details).toEqual([{ field: 'queue', message: expect.any(String) }]);
    const foreign = await expectRefused(post({ queue: other.demo.queues[0]!.id, channel: 'kiosk' }), 400, 'invalid-reference');
    expect(foreign.body.details).toEqual([{ field: 'queue', message: expect.any(String) }]);
    await expectRefused(post({ channel: 'kiosk' }), 400, 'validation-failed');
    await expectRefused(post({ queue: queue('A'), channel: 'fax' }), 400, 'validation-failed');
    await expectRefused(post({ queue: queue('A'), priority: 10 }), 400, 'validation-failed');
    await expectRefused(post({ queue: queue('A'), surprise: true }), 400, 'validation-failed');
    await expectRefused(post({ queue: queue('A'), customer: uuidv7() }), 400, 'invalid-reference');

    db().sqlite.prepare(`UPDATE queue SET status = 'closed' WHERE id = ?`).run(queue('C'));
    await expectRefused(post({ queue: queue('C') }), 400, 'queue-closed');
    expect(db().sqlite.prepare('SELECT count(*) FROM ticket').pluck().get()).toBe(0);
  });
});

describe('GET tickets/', () => {
  it('filters by queue, status, channel, agent and customer, newest first', async () => {
    const a1 = await create('A', { channel: 'kiosk' });
    tick(1);
    const b1 = await create('B', { channel: 'web', customer: d.demo.customers[0] });
    tick(1);
    const a2 = await create('A', { channel: 'app' });
    tick(1);
    const c1 = await create('C', { channel: 'kiosk' });
    tick(1);
    await called(1); // agent 2 serves B only: calls B001

    const ids = async (query: string) => {
      const res = await list(query);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.count).toBe(res.body.results.length);
      return res.body.results.map((r: TicketDto) => r.id);
    };
    expect(await ids('')).toEqual([c1.id, a2.id, b1.id, a1.id]);
    expect(await ids(`?queue=${queue('A')}`)).toEqual([a2.id, a1.id]);
    expect(await ids('?status=appele')).toEqual([b1.id]);
    expect(await ids('?status=en_attente')).toEqual([c1.id, a2.id, a1.id]);
    expect(await ids('?channel=kiosk')).toEqual([c1.id, a1.id]);
    expect(await ids(`?agent=${agentId(1)}`)).toEqual([b1.id]);
    expect(await ids(`?agent=${agentId(0)}`)).toEqual([]);
    expect(await ids(`?customer=${d.demo.customers[0]}`)).toEqual([b1.id]);
    expect(await ids(`?queue=${queue('A')}&channel=app`)).toEqual([a2.id]);

    // Live positions in the list; none for a called ticket.
    const all = (await list('')).body.results as TicketDto[];
    expect(all.map((r) => [r.number, r.position])).toEqual([['C001', 1], ['A002', 2], ['B001', null], ['A001', 1]]);

    expect((await list('?status=waiting')).status).toBe(400);
    expect((await list('?queue=not-a-uuid')).status).toBe(400);
    // Parameters a route does not declare are ignored, as v1 (DRF) clients expect (`?format=json`).
    expect(await ids(`?format=json&queue=${queue('A')}`)).toEqual([a2.id, a1.id]);
  });

  it('paginates with absolute next/previous links that keep the filters', async () => {
    const made: TicketDto[] = [];
    for (let i = 0; i < 5; i += 1) {
      made.push(await create('A'));
      tick(1);
    }
    await create('B');
    const newestFirst = made.map((m) => m.number).reverse();

    const page1 = await list(`?queue=${queue('A')}&page_size=2`);
    expect(page1.body).toMatchObject({ count: 5, previous: null });
    expect(page1.body.results.map((r: TicketDto) => r.number)).toEqual(newestFirst.slice(0, 2));
    const next = new URL(page1.body.next);
    expect(`${next.origin}${next.pathname}`).toBe(`${t.url}${base()}/tickets/`);
    expect(Object.fromEntries(next.searchParams)).toEqual({ queue: queue('A'), page_size: '2', page: '2' });

    const follow = (link: string) => t.api('GET', link.slice(t.url.length), { token: d.adminToken });
    const page2 = await follow(page1.body.next);
    expect(page2.body.results.map((r: TicketDto) => r.number)).toEqual(newestFirst.slice(2, 4));
    expect(new URL(page2.body.previous).searchParams.get('page')).toBe('1');
    const page3 = await follow(page2.body.next);
    expect(page3.body.results.map((r: TicketDto) => r.number)).toEqual(newestFirst.slice(4));
    expect(page3.body.next).toBeNull();
    expect(new URL(page3.body.previous).searchParams.get('page')).toBe('2');

    const beyond = await list(`?queue=${queue('A')}&page_size=2&page=9`);
    expect(beyond.body).toMatchObject({ count: 5, next: null, results: [] });
    expect(new URL(beyond.body.previous).searchParams.get('page')).toBe('3');
    expect((await list('?page_size=101')).status).toBe(400);
    expect((await list('?page=0')).status).toBe(400);
  });
});

describe('GET tickets/{id}/ and events/', () => {
  it('returns one ticket, and 404 for an unknown or malformed id', async () => {
    const a1 = await create('A');
    expect(await get(a1.id)).toEqual(a1);
    const unknown = await t.api('GET', `${base()}/tickets/${uuidv7()}/`, { token: d.adminToken });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ detail: expect.any(String), code: 'not-found' });
    expect((await t.api('GET', `${base()}/tickets/123/`, { token: d.adminToken })).status).toBe(404);
    expect((await t.api('GET', `${base()}/tickets/${uuidv7()}/events/`, { token: d.adminToken })).status).toBe(404);
  });

  it('lists the history of a ticket with the reason the call chose it', async () => {
    const a1 = await create('A');
    tick(90);
    await called(0);
    tick(20);
    await acted(a1.id, 'start_service', d.agentTokens[0]);
    tick(300);
    await acted(a1.id, 'close', d.agentTokens[0]);

    const res = await t.api('GET', `${base()}/tickets/${a1.id}/events/`, { token: d.agentTokens[2] });
    expect(res.status).toBe(200);
    expect(res.body.map((e: any) => [e.type, e.from_status, e.to_status, e.created_at])).toEqual([
      ['ticket.created', null, 'en_attente', iso(T0)],
      ['ticket.called', 'en_attente', 'appele', iso(T0 + 90_000)],
      ['ticket.service_started', 'appele', 'en_service', iso(T0 + 110_000)],
      ['ticket.closed', 'en_service', 'clos', iso(T0 + 410_000)],
    ]);
    const [created, call, start] = res.body;
    expect(call.actor_user).toBe(agentId(0));
    expect(call.actor_device).toBeNull();
    expect(call.explanation).toMatchObject({ policy: 'fifo', queueId: queue('A'), waitedSeconds: 90, reason: expect.stringMatching(/\S/) });
    expect(created.explanation).toBeNull();
    expect(start.explanation).toBeNull();
  });
});

describe('POST agents/call-next/', () => {
  it('calls queue A first come, first served, and records who called at which counter', async () => {
    const made = [];
    for (let i = 0; i < 3; i += 1) {
      made.push(await create('A'));
      tick(10);
    }
    for (const expected of made) {
      const mark = journalMark(db());
      const call = await called(0);
      expectJournaledSince(db(), mark, ['ticket.called']);
      expect(call).toMatchObject({
        id: expected.id, number: expected.number, status: 'appele', agent: agentId(0), counter: 'Guichet 1',
        called_at: iso(clock), position: null,
      });
      expect(call.explanation).toMatchObject({ policy: 'fifo', queueId: queue('A') });
      expect(agentStatus(0)).toBe('busy');
      await acted(expected.id, 'close', d.agentTokens[0]);
      tick(5);
    }
  });

  it('calls queue B ("priority") by priority, then by arrival', async () => {
    const b1 = await create('B', { priority: 0 });
    tick(10);
    const b2 = await create('B', { priority: 5 });
    tick(10);
    const b3 = await create('B', { priority: 2 });
    tick(10);
    const b4 = await create('B', { priority: 5 });
    tick(10);
    const order: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      const call = await called(1);
      expect(call.explanation.policy).toBe('priority');
      order.push(call.id);
      await acted(call.id, 'close', d.agentTokens[1]);
    }
    expect(order).toEqual([b2.id, b4.id, b3.id, b1.id]);
  });

  it('calls only from the queue named in queue_id', async () => {
    const a1 = await create('A');
    tick(60);
    const c1 = await create('C');
    tick(1);
    expect((await called(0, { queue_id: queue('C') })).id).toBe(c1.id);
    expect((await get(a1.id)).status).toBe('en_attente');
    await acted(c1.id, 'close', d.agentTokens[0]);
    expect((await called(0)).id).toBe(a1.id);
  });

  it('answers 404 when nothing is waiting in the agent\'s queues', async () => {
    await expectRefused(() => callNext(1), 404, 'no-ticket-waiting');
    await create('A');
    // Agent 2 serves B only: A001 is not theirs to call.
    await expectRefused(() => callNext(1), 404, 'no-ticket-waiting');
    await expectRefused(() => callNext(0, { queue_id: queue('B') }), 404, 'no-ticket-waiting');
  });

  it('refuses a second call while the agent holds an active ticket', async () => {
    const a1 = await create('A');
    await create('A');
    await called(0);
    const res = await expectRefused(() => callNext(0), 400, 'agent-has-active-ticket');
    expect(res.body.details).toEqual({ number: 'A001', status: 'appele' });
    await acted(a1.id, 'start_service', d.agentTokens[0]);
    await expectRefused(() => callNext(0), 400, 'agent-has-active-ticket');
  });

  it('refuses a queue outside the agent\'s skills, a paused agent and a user without an agent profile', async () => {
    await create('A');
    await expectRefused(() => callNext(1, { queue_id: queue('A') }), 400, 'queue-not-in-skills');
    await expectRefused(() => callNext(1, { queue_id: uuidv7() }), 400, 'queue-not-in-skills');

    db().sqlite.prepare(`UPDATE agent_profile SET status = 'paused' WHERE user_id = ?`).run(agentId(0));
    await expectRefused(() => callNext(0), 400, 'agent-not-available');
    await expectRefused(() => t.api('POST', `${base()}/agents/call-next/`, { token: d.adminToken, body: {} }), 400, 'agent-not-available');
  });
});

describe('serving a ticket', () => {
  it('starts and closes a service, releasing the agent for the next call', async () => {
    const a1 = await create('A');
    const a2 = await create('A');
    tick(30);
    await called(0);
    tick(15);
    let mark = journalMark(db());
    const started = await acted(a1.id, 'start_service', d.agentTokens[0]);
    expectJournaledSince(db(), mark, ['ticket.service_started']);
    expect(started).toMatchObject({ status: 'en_service', started_at: iso(clock), agent: agentId(0), ended_at: null });
    expect(agentStatus(0)).toBe('busy');
    tick(240);
    mark = journalMark(db());
    const closed = await acted(a1.id, 'close', d.agentTokens[0]);
    expectJournaledSince(db(), mark, ['ticket.closed']);
    expect(closed).toMatchObject({ status: 'clos', ended_at: iso(clock), agent: agentId(0) });
    expect(agentStatus(0)).toBe('available');
    expect((await called(0)).id).toBe(a2.id);
  });

  it('pauses a ticket (agent released, ticket kept) and resumes it only once the agent is free', async () => {
    const a1 = await create('A');
    const a2 = await create('A');
    await called(0);
    await acted(a1.id, 'start_service', d.agentTokens[0]);
    const mark = journalMark(db());
    const paused = await acted(a1.id, 'pause', d.agentTokens[0], { reason: 'Documents manquants' });
    expectJournaledSince(db(), mark, ['ticket.paused']);
    expect(paused).toMatchObject({ status: 'pause', agent: agentId(0), counter: 'Guichet 1' });
    expect(agentStatus(0)).toBe('available');
    const events = (await t.api('GET', `${base()}/tickets/${a1.id}/events/`, { token: d.adminToken })).body;
    expect(events.at(-1)).toMatchObject({ type: 'ticket.paused', reason: 'Documents manquants', to_status: 'pause' });

    expect((await called(0)).id).toBe(a2.id);
    await expectRefused(() => act(a1.id, 'resume', d.agentTokens[0]), 400, 'agent-has-active-ticket');
    await acted(a2.id, 'close', d.agentTokens[0]);

    const resumeMark = journalMark(db());
    const resumed = await acted(a1.id, 'resume', d.agentTokens[0]);
    expectJournaledSince(db(), resumeMark, ['ticket.resumed']);
    expect(resumed).toMatchObject({ status: 'en_service', agent: agentId(0) });
    expect(agentStatus(0)).toBe('busy');
  });

  it('marks a called customer as no-show and releases the agent', async () => {
    const a1 = await create('A');
    const a2 = await create('A');
    await called(0);
    tick(120);
    const mark = journalMark(db());
    const gone = await acted(a1.id, 'mark_no_show', d.agentTokens[0]);
    expectJournaledSince(db(), mark, ['ticket.no_show']);
    expect(gone).toMatchObject({ status: 'no_show', ended_at: iso(clock) });
    expect(agentStatus(0)).toBe('available');
    expect((await called(0)).id).toBe(a2.id);
  });

  it('recalls a called ticket, counting the recalls, without changing its status', async () => {
    const a1 = await create('A');
    tick(10);
    const call = await called(0);
    for (const count of [1, 2]) {
      tick(30);
      const mark = journalMark(db());
      const recalled = await acted(a1.id, 'recall', d.agentTokens[0]);
      expectJournaledSince(db(), mark, ['ticket.recalled']);
      expect(recalled).toMatchObject({ status: 'appele', recall_count: count, agent: agentId(0), called_at: call.called_at });
    }
    expect(agentStatus(0)).toBe('busy');
  });
});

describe('POST tickets/{id}/transfer/', () => {
  it('ends the ticket as transferred and issues a linked one in the target queue that public tracking follows', async () => {
    const a1 = await create('A');
    tick(60);
    await called(0);
    tick(30);
    const mark = journalMark(db());
    const res = await act(a1.id, 'transfer', d.agentTokens[0], { target_queue_id: queue('B'), reason: 'Mauvais service' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const moved = res.body;
    const events = expectJournaledSince(db(), mark, ['ticket.transferred', 'ticket.created']);
    expect(events.map((e) => e.ticket_id)).toEqual([a1.id, moved.id]);

    expect(moved).toMatchObject({
      number: 'A001', status: 'en_attente', queue: queue('B'), queue_name: 'Retrait', transferred_from: a1.id,
      agent: null, recall_count: 0, created_at: a1.created_at, position: 1,
    });
    // The answer already tells the customer their place and wait in the new queue.
    expect(moved.eta_seconds).toBe((await get(moved.id)).eta_seconds);
    expect(moved.id).not.toBe(a1.id);
    expect(moved.public_id).not.toBe(a1.public_id);
    expect(await get(a1.id)).toMatchObject({ status: 'transfere', ended_at: iso(clock), queue: queue('A') });
    expect((await get(moved.id)).position).toBe(1);
    expect(agentStatus(0)).toBe('available');
    const history = (await t.api('GET', `${base()}/tickets/${a1.id}/events/`, { token: d.adminToken })).body;
    expect(history.at(-1)).toMatchObject({ type: 'ticket.transferred', from_status: 'appele', to_status: 'transfere', reason: 'Mauvais service' });

    const track = () => t.api('GET', `/api/v1/public/tickets/${a1.public_id}/`);
    expect((await track()).body).toMatchObject({ public_id: a1.public_id, number: 'A001', status: 'en_attente', queue_name: 'Retrait', position: 1 });

    // Agent 2 serves B: the transferred customer is called there under the same number.
    const call = await called(1);
    expect(call).toMatchObject({ id: moved.id, number: 'A001' });
    expect((await track()).body).toMatchObject({ status: 'appele', counter: 'Guichet 2', queue_name: 'Retrait' });

    // A second hop (B → C): the original paper ticket still finds the customer.
    const again = await acted(moved.id, 'transfer', d.agentTokens[1], { target_queue_id: queue('C') });
    expect(again.transferred_from).toBe(moved.id);
    expect((await track()).body).toMatchObject({ number: 'A001', status: 'en_attente', queue_name: 'Conseil' });
  });

  it('refuses the same queue, an unknown or foreign queue and a finished ticket, changing nothing', async () => {
    const a1 = await create('A');
    await called(0);
    const transfer = (body: Record<string, unknown>) => () => act(a1.id, 'transfer', d.agentTokens[0], body);
    await expectRefused(transfer({ target_queue_id: queue('A') }), 400, 'same-queue-transfer');
    const unknown = await expectRefused(transfer({ target_queue_id: uuidv7() }), 400, 'invalid-reference');
    expect(unknown.body.details).toEqual([{ field: 'target_queue_id', message: expect.any(String) }]);
    const foreign = await expectRefused(transfer({ target_queue_id: other.demo.queues[1]!.id }), 400, 'invalid-reference');
    expect(foreign.body.details).toEqual([{ field: 'target_queue_id', message: expect.any(String) }]);
    await expectRefused(transfer({}), 400, 'validation-failed');

    await acted(a1.id, 'close', d.agentTokens[0]);
    await expectRefused(transfer({ target_queue_id: queue('B') }), 400, 'illegal-transition');
  });

  it('keeps the agent busy when they transfer a paused ticket while serving another', async () => {
    const a1 = await create('A');
    const a2 = await create('A');
    await called(0);
    await acted(a1.id, 'pause', d.agentTokens[0]);
    expect((await called(0)).id).toBe(a2.id);
    expect(agentStatus(0)).toBe('busy');
    await acted(a1.id, 'transfer', d.agentTokens[0], { target_queue_id: queue('C') });
    expect(agentStatus(0)).toBe('busy');
    await acted(a2.id, 'close', d.agentTokens[0]);
    expect(agentStatus(0)).toBe('available');
  });
});

describe('illegal transitions', () => {
  it('answers 400 illegal-transition and changes nothing', async () => {
    const waiting = await create('A');
    const closed = await create('B');
    await called(1);
    await acted(closed.id, 'close', d.agentTokens[1]);
    const serving = await create('C');
    await called(2);
    await acted(serving.id, 'start_service', d.agentTokens[2]);
    const gone = await create('B');
    await called(1);
    await acted(gone.id, 'mark_no_show', d.agentTokens[1]);
    const calledTicket = await create('B');
    await called(1);

    const cases: [TicketDto, string, string][] = [
      [waiting, 'close', 'en_attente'],
      [waiting, 'start_service', 'en_attente'],
      [waiting, 'pause', 'en_attente'],
      [waiting, 'recall', 'en_attente'],
      [waiting, 'mark_no_show', 'en_attente'],
      [closed, 'start_service', 'clos'],
      [closed, 'close', 'clos'],
      [closed, 'resume', 'clos'],
      [serving, 'recall', 'en_service'],
      [serving, 'mark_no_show', 'en_service'],
      [serving, 'start_service', 'en_service'],
      [gone, 'close', 'no_show'],
      [calledTicket, 'resume', 'appele'],
    ];
    for (const [ticket, action, from] of cases) {
      const token = ticket === waiting ? d.adminToken : ticket === serving ? d.agentTokens[2] : d.agentTokens[1];
      const res = await expectRefused(() => act(ticket.id, action, token), 400, 'illegal-transition');
      expect(res.body.details, `${action} from ${from}`).toMatchObject({ from });
    }
    await expectRefused(() => act(gone.id, 'transfer', d.agentTokens[1], { target_queue_id: queue('A') }), 400, 'illegal-transition');
  });
});

describe('who may act on a ticket', () => {
  it('forbids an agent to act on another agent\'s ticket, and lets a manager or an admin do it', async () => {
    const b1 = await create('B');
    await called(0); // agent 1 holds B001; agent 2 also serves B
    for (const [action, body] of [['start_service'], ['close'], ['pause'], ['recall'], ['mark_no_show'], ['transfer', { target_queue_id: queue('C') }]] as const) {
      const res = await expectRefused(() => act(b1.id, action, d.agentTokens[1], body), 403, 'not-ticket-holder');
      expect(res.body.detail).toContain('B001');
    }

    expect(await acted(b1.id, 'start_service', d.adminToken)).toMatchObject({ status: 'en_service', agent: agentId(0) });
    const manager = await addManager();
    const managerToken = manager.token;
    await acted(b1.id, 'pause', managerToken);
    // The manager resumes it at its agent's counter, not their own.
    expect(await acted(b1.id, 'resume', managerToken)).toMatchObject({ status: 'en_service', agent: agentId(0), counter: 'Guichet 1' });
    expect(agentStatus(0)).toBe('busy');
    expect(await acted(b1.id, 'close', managerToken)).toMatchObject({ status: 'clos' });
    expect(agentStatus(0)).toBe('available');
    const history = (await t.api('GET', `${base()}/tickets/${b1.id}/events/`, { token: d.adminToken })).body;
    expect(history.map((e: any) => e.type)).toEqual(['ticket.created', 'ticket.called', 'ticket.service_started', 'ticket.paused', 'ticket.resumed', 'ticket.closed']);
    expect(history.slice(3).map((e: any) => e.actor_user)).toEqual([manager.id, manager.id, manager.id]);
  });
});

describe('GET queues/{id}/stats/', () => {
  it('reports SmartQueue v1 statistics after a small day', async () => {
    const a = ['A001', 'A002', 'A003', 'A004'];
    const made: TicketDto[] = [];
    for (let i = 0; i < a.length; i += 1) {
      made.push(await create('A'));
      tick(60);
    } // created at T0, +60, +120, +180; now T0+240
    tick(60); // T0+300
    await called(0); // A001 waited 300 s
    tick(60);
    await acted(made[0]!.id, 'start_service', d.agentTokens[0]);
    tick(300); // served 300 s
    await acted(made[0]!.id, 'close', d.agentTokens[0]);
    tick(40); // T0+700
    await called(0); // A002 waited 640 s
    tick(60);
    await acted(made[1]!.id, 'mark_no_show', d.agentTokens[0]);
    tick(40); // T0+800
    await called(0); // A003 waited 680 s
    tick(100); // T0+900

    const res = await t.api('GET', `${base()}/queues/${queue('A')}/stats/`, { token: d.agentTokens[0] });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      queue_id: queue('A'),
      queue_name: 'Ouverture de compte',
      status: 'open',
      waiting_count: 1,
      called_count: 1,
      in_service_count: 0,
      paused_count: 0,
      total_active: 2,
      avg_wait_seconds: 540,
      served_today: 1,
      no_show_today: 1,
      avg_service_seconds: 300,
      active_agents: 1,
      longest_wait_seconds: 720,
    });

    const empty = await t.api('GET', `${base()}/queues/${queue('B')}/stats/`, { token: d.adminToken });
    expect(empty.body).toMatchObject({ waiting_count: 0, total_active: 0, served_today: 0, avg_service_seconds: null, active_agents: 2, longest_wait_seconds: 0 });
    expect((await t.api('GET', `${base()}/queues/${uuidv7()}/stats/`, { token: d.adminToken })).status).toBe(404);
  });
});

describe('GET public/tickets/{public_id}/', () => {
  it('shows the customer their place without a login, and nothing more', async () => {
    await create('A');
    const a2 = await create('A', { customer_name: 'Moussa', customer_phone: '+221770000002' });
    const res = await t.api('GET', `/api/v1/public/tickets/${a2.public_id}/`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      public_id: a2.public_id, number: 'A002', status: 'en_attente', position: 2,
      eta_seconds: a2.eta_seconds, eta_p90_seconds: expect.any(Number),
      queue_name: 'Ouverture de compte', site_name: 'Agence Dakar Plateau', counter: '', remote: false,
      created_at: iso(T0), called_at: null,
    });
    const unknown = await t.api('GET', `/api/v1/public/tickets/${'x'.repeat(22)}/`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('not-found');
    expect((await t.api('GET', '/api/v1/public/tickets/short/')).status).toBe(404);
    expect((await t.api('GET', `/api/v1/public/tickets/${a2.id}/`)).status).toBe(404);
  });
});

describe('tenant isolation', () => {
  it('forbids another tenant\'s admin every route of this tenant', async () => {
    const a1 = await create('A');
    const mark = journalMark(db());
    const calls: [string, string, unknown?][] = [
      ['GET', `${base()}/tickets/`],
      ['POST', `${base()}/tickets/`, { queue: queue('A') }],
      ['GET', `${base()}/tickets/${a1.id}/`],
      ['GET', `${base()}/tickets/${a1.id}/events/`],
      ['POST', `${base()}/tickets/${a1.id}/close/`],
      ['POST', `${base()}/tickets/${a1.id}/transfer/`, { target_queue_id: queue('B') }],
      ['POST', `${base()}/agents/call-next/`, {}],
      ['GET', `${base()}/queues/${queue('A')}/stats/`],
    ];
    for (const [method, path, body] of calls) {
      for (const token of [other.adminToken, other.agentTokens[0]]) {
        const res = await t.api(method, path, { token, ...(body === undefined ? {} : { body }) });
        expect(res.status, `${method} ${path}`).toBe(403);
        expect(res.body.code).toBe('not-a-member');
      }
    }
    expectJournaledSince(db(), mark, []);
    expect(await get(a1.id)).toEqual(a1);
  });

  it('does not find this tenant\'s ticket or queue under another tenant\'s slug', async () => {
    const a1 = await create('A');
    await called(0);
    const before = ticketRow(a1.id);
    const mark = journalMark(db());
    const otherBase = `/api/v1/tenants/${other.slug}`;
    for (const [method, path, body] of [
      ['GET', `${otherBase}/tickets/${a1.id}/`],
      ['GET', `${otherBase}/tickets/${a1.id}/events/`],
      ['POST', `${otherBase}/tickets/${a1.id}/start_service/`],
      ['POST', `${otherBase}/tickets/${a1.id}/close/`],
      ['POST', `${otherBase}/tickets/${a1.id}/recall/`],
      ['POST', `${otherBase}/tickets/${a1.id}/transfer/`, { target_queue_id: other.demo.queues[1]!.id }],
      ['GET', `${otherBase}/queues/${queue('A')}/stats/`],
    ] as [string, string, unknown?][]) {
      const res = await t.api(method, path, { token: other.adminToken, ...(body === undefined ? {} : { body }) });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.code).toBe('not-found');
    }
    expect((await t.api('GET', `${otherBase}/tickets/`, { token: other.adminToken })).body.count).toBe(0);
    expect(ticketRow(a1.id)).toEqual(before);
    expectJournaledSince(db(), mark, []);
  });
});
