import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qb } from '../../../branch-server/db/sqlite.ts';
import { userAuthorization } from '../../helpers/principals.ts';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../../helpers/server.ts';

describe('notification templates and notifications API', () => {
  let t: TestServer;
  let d: DemoTenant;
  let other: DemoTenant;
  let manager: Record<string, string>;
  const base = (slug = d.slug) => `/api/v1/tenants/${slug}/notifications/templates/`;
  const templateCount = () => t.server.deps.db.raw<{ n: number }>('SELECT COUNT(*) AS n FROM notification_template WHERE tenant_id = ?', d.tenantId)[0]!.n;
  const create = async (body: Record<string, unknown>) => {
    const res = await t.api('POST', base(), { token: d.adminToken, body: { channel: 'sms', language: 'fr', ...body } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { id: string };
  };

  beforeAll(async () => {
    t = await startTestServer();
    [d, other] = await Promise.all([seedDemoTenant(t), seedDemoTenant(t, 'other-bank')]);
    const now = Date.now();
    const userId = randomUUID();
    t.server.deps.db.run(qb.insertInto('user').values({ id: userId, email: 'manager@demo-bank.com', password_hash: 'x', created_at: now, updated_at: now }));
    t.server.deps.db.run(qb.insertInto('tenant_membership').values({ id: randomUUID(), tenant_id: d.tenantId, user_id: userId, role: 'manager', created_at: now, updated_at: now }));
    manager = await userAuthorization(t, userId);
  });
  afterAll(() => t.close());

  it('creates, lists, reads, updates and deletes a template, auditing each change', async () => {
    const created = await t.api('POST', base(), {
      token: d.adminToken,
      body: { key: 'ticket_recalled', channel: 'whatsapp', language: 'en', body: 'Ticket {{ ticket_number }} again at {{counter}}.' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ key: 'ticket_recalled', channel: 'whatsapp', language: 'en', subject: '', is_active: true, variables: ['ticket_number', 'counter'] });
    const id = created.body.id as string;

    const list = await t.api('GET', `${base()}?channel=whatsapp`, { token: d.adminToken });
    expect(list.body.results.map((r: { id: string }) => r.id)).toEqual([id]);
    expect((await t.api('GET', base(), { token: d.adminToken })).body.count).toBe(3); // + the two demo SMS templates

    const patched = await t.api('PATCH', `${base()}${id}/`, { token: d.adminToken, body: { is_active: false, body: 'Ticket {{ticket_number}}: {{counter}} now.' } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ is_active: false, language: 'en', body: 'Ticket {{ticket_number}}: {{counter}} now.' });
    expect((await t.api('DELETE', `${base()}${id}/`, { token: d.adminToken })).status).toBe(204);
    expect((await t.api('GET', `${base()}${id}/`, { token: d.adminToken })).status).toBe(404);
    const actions = t.server.deps.db.raw<{ action: string }>('SELECT action FROM audit_log WHERE entity_id = ? ORDER BY seq', id).map((r) => r.action);
    expect(actions).toEqual(['notification_template.created', 'notification_template.updated', 'notification_template.deleted']);
  });

  it('refuses unknown {{variables}}, naming each, and creates nothing', async () => {
    const before = templateCount();
    const res = await t.api('POST', base(), {
      token: d.adminToken,
      body: { key: 'welcome', channel: 'sms', language: 'fr', body: 'Bonjour {{first_name}}, ticket {{ticket_number}}, code {{pin}}.' },
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation-failed');
    expect(res.body.error).toContain('{{first_name}}');
    expect(res.body.details).toEqual([{ field: 'body', message: expect.stringMatching(/\{\{first_name\}\}, \{\{pin\}\}; allowed: \{\{ticket_number\}\}/) }]);
    const broken = await t.api('POST', base(), { token: d.adminToken, body: { key: 'welcome', channel: 'sms', language: 'fr', body: 'Ticket {{ticket_number}' } });
    expect(broken.status).toBe(400);
    expect(templateCount()).toBe(before);
  });

  it('keeps one template per key, channel and language', async () => {
    const res = await t.api('POST', base(), { token: d.adminToken, body: { key: 'ticket_called', channel: 'sms', language: 'fr', body: 'Appel {{ticket_number}}' } });
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([{ field: 'key', message: expect.stringContaining('already exists') }]);
    const arabic = await create({ key: 'ticket_called', language: 'ar', body: 'التذكرة {{ticket_number}} إلى {{counter}}' });
    const clash = await t.api('PATCH', `${base()}${arabic.id}/`, { token: d.adminToken, body: { language: 'fr' } });
    expect(clash.status).toBe(400);
    expect((await t.api('GET', `${base()}${arabic.id}/`, { token: d.adminToken })).body.language).toBe('ar');
  });

  it('needs a subject for e-mail and validates its variables too', async () => {
    const noSubject = await t.api('POST', base(), { token: d.adminToken, body: { key: 'mail', channel: 'email', language: 'fr', body: 'Ticket {{ticket_number}}' } });
    expect(noSubject.status).toBe(400);
    expect(noSubject.body.details).toEqual([{ field: 'subject', message: expect.stringContaining('subject') }]);
    const badSubject = await t.api('POST', base(), { token: d.adminToken, body: { key: 'mail', channel: 'email', language: 'fr', subject: 'Votre {{ticket}}', body: 'x' } });
    expect(badSubject.status).toBe(400);
    expect(badSubject.body.details[0]).toMatchObject({ field: 'subject' });
    await create({ key: 'mail', channel: 'email', subject: 'Votre ticket {{ticket_number}}', body: 'Suivi : {{tracking_url}}' });
  });

  it('previews a template with sample data, overridable per variable', async () => {
    const { id } = await create({ key: 'preview_me', body: 'Ticket {{ticket_number}} ({{queue_name}}), {{position}} avant vous, ~{{eta_minutes}} min.' });
    const sample = await t.api('POST', `${base()}${id}/preview/`, { token: d.adminToken });
    expect(sample.status).toBe(200);
    expect(sample.body).toEqual({ subject: '', body: 'Ticket A012 (Retrait), 3 avant vous, ~12 min.', variables: ['ticket_number', 'queue_name', 'position', 'eta_minutes'] });
    const custom = await t.api('POST', `${base()}${id}/preview/`, { token: d.adminToken, body: { data: { ticket_number: 'C104', position: 0 } } });
    expect(custom.body.body).toBe('Ticket C104 (Retrait), 0 avant vous, ~12 min.');
  });

  it('lets a manager read and preview templates but not change them; an agent sees none', async () => {
    const { id } = await create({ key: 'managed', body: 'Ticket {{ticket_number}}' });
    const headers = manager;
    expect((await t.api('GET', base(), { headers })).status).toBe(200);
    expect((await t.api('POST', `${base()}${id}/preview/`, { headers })).status).toBe(200);
    const write = await t.api('PATCH', `${base()}${id}/`, { headers, body: { body: 'x' } });
    expect(write.status).toBe(403);
    expect(write.body.code).toBe('missing-scope');
    expect((await t.api('POST', base(), { headers, body: { key: 'x', channel: 'sms', language: 'fr', body: 'x' } })).status).toBe(403);
    expect((await t.api('GET', base(), { token: d.agentTokens[0] })).status).toBe(403);
    expect((await t.api('GET', `/api/v1/tenants/${d.slug}/notifications/`, { token: d.agentTokens[0] })).status).toBe(403);
  });

  it("keeps another tenant's templates invisible", async () => {
    const { id } = await create({ key: 'secret', body: 'x' });
    expect((await t.api('GET', `${base(other.slug)}${id}/`, { token: other.adminToken })).status).toBe(404);
    expect((await t.api('PATCH', `${base(other.slug)}${id}/`, { token: other.adminToken, body: { body: 'y' } })).status).toBe(404);
    expect((await t.api('POST', `${base(other.slug)}${id}/preview/`, { token: other.adminToken })).status).toBe(404);
    const theirs = await t.api('GET', `${base(other.slug)}?key=secret`, { token: other.adminToken });
    expect(theirs.body.count).toBe(0);
  });

  it('lists sent notifications of the tenant, newest first, filtered by status', async () => {
    const now = Date.now();
    const add = (tenantId: string, status: 'sent' | 'failed', at: number, recipient: string) => t.server.deps.db.run(qb.insertInto('notification').values({
      id: randomUUID(), tenant_id: tenantId, channel: 'sms', template_key: 'ticket_created', recipient, body: 'Votre ticket A001',
      status, attempts: 1, created_at: at, sent_at: status === 'sent' ? at : null, updated_at: at,
    }));
    add(d.tenantId, 'sent', now - 2000, '+221770000001');
    add(d.tenantId, 'failed', now - 1000, '+221770000002');
    add(other.tenantId, 'sent', now, '+221770000099');
    const all = await t.api('GET', `/api/v1/tenants/${d.slug}/notifications/`, { token: d.adminToken });
    expect(all.status).toBe(200);
    expect(all.body.results.map((n: { recipient: string }) => n.recipient)).toEqual(['+221770000002', '+221770000001']);
    expect(all.body.results[1]).toMatchObject({ status: 'sent', channel: 'sms', template_key: 'ticket_created', attempts: 1, sent_at: expect.any(String) });
    const failed = await t.api('GET', `/api/v1/tenants/${d.slug}/notifications/?status=failed`, { headers: manager });
    expect(failed.body.count).toBe(1);
    expect((await t.api('POST', `/api/v1/tenants/${d.slug}/notifications/`, { token: d.adminToken, body: {} })).status).toBe(405);
  });
});
