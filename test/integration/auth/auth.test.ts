import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qb } from '../../../branch-server/db/sqlite.ts';
import { ADMIN_PASSWORD, seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../../helpers/server.ts';

describe('auth', () => {
  let t: TestServer;
  let d: DemoTenant;
  let clock = Date.now();
  beforeAll(async () => {
    t = await startTestServer({ now: () => clock, accessTokenTtlSeconds: 60 });
    d = await seedDemoTenant(t);
  });
  afterAll(() => t.close());

  const signIn = (email: string, password: string) => t.api('POST', '/api/v1/auth/', { body: { email, password } });

  it('returns a token pair, the user and the scopes of their membership', async () => {
    const res = await signIn(d.adminEmail, ADMIN_PASSWORD);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: 60, user: { email: d.adminEmail } });
    expect(res.body.refresh_token).toMatch(/^sqr_/);
    expect(res.body.scopes).toContain('manage:settings');
    expect(res.body.user.memberships).toEqual([expect.objectContaining({ tenant: d.slug, role: 'admin' })]);
    expect(JSON.stringify(res.body)).not.toContain('argon2');
  });

  it('gives an agent only the agent scopes', async () => {
    const res = await signIn(d.demo.agents[1]!.email, d.demo.agents[1]!.password);
    expect(res.body.scopes.sort()).toEqual(['read:customer', 'read:queue', 'read:ticket', 'write:queue', 'write:ticket']);
  });

  it('accepts the e-mail in any case', async () => {
    expect((await signIn(d.adminEmail.toUpperCase(), ADMIN_PASSWORD)).status).toBe(200);
  });

  it('stores passwords as argon2id hashes', () => {
    const row = t.server.deps.db.first(qb.selectFrom('user').select('password_hash').where('email', '=', d.adminEmail));
    expect(row?.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it('refuses a wrong password and an unknown e-mail with the same 401', async () => {
    const wrong = await signIn(d.adminEmail, 'nope-nope-nope');
    const unknown = await signIn('nobody@nowhere.test', 'nope-nope-nope');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body.detail).toMatch(/Unable to log in/);
  });

  it('accepts both "Bearer" and the v1 "Token" prefix', async () => {
    const token = await t.login(d.adminEmail, ADMIN_PASSWORD);
    const bearer = await t.api('GET', '/api/v1/auth/me/', { headers: { authorization: `Bearer ${token}` } });
    const v1 = await t.api('GET', '/api/v1/auth/me/', { headers: { authorization: `Token ${token}` } });
    expect(bearer.status).toBe(200);
    expect(v1.status).toBe(200);
    expect(v1.body.email).toBe(d.adminEmail);
  });

  it('answers 401 without credentials and for a malformed or forged token', async () => {
    expect((await t.api('GET', '/api/v1/auth/me/')).status).toBe(401);
    expect((await t.api('GET', '/api/v1/auth/me/', { headers: { authorization: 'Basic abc' } })).status).toBe(401);
    const token = await t.login(d.adminEmail, ADMIN_PASSWORD);
    const [h, p] = token.split('.');
    const forged = `${h}.${p}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`;
    const res = await t.api('GET', '/api/v1/auth/me/', { token: forged });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('token-invalid');
  });

  it('expires access tokens after their lifetime', async () => {
    const token = await t.login(d.adminEmail, ADMIN_PASSWORD);
    clock += 61_000;
    try {
      const res = await t.api('GET', '/api/v1/auth/me/', { token });
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('token-expired');
    } finally {
      clock -= 61_000;
    }
  });

  it('rotates the refresh token and revokes the session when an old one is replayed', async () => {
    const first = (await signIn(d.adminEmail, ADMIN_PASSWORD)).body;
    const second = await t.api('POST', '/api/v1/auth/refresh/', { body: { refresh_token: first.refresh_token } });
    expect(second.status).toBe(200);
    expect(second.body.refresh_token).not.toBe(first.refresh_token);
    expect((await t.api('GET', '/api/v1/auth/me/', { token: second.body.token })).status).toBe(200);

    const replay = await t.api('POST', '/api/v1/auth/refresh/', { body: { refresh_token: first.refresh_token } });
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe('token-revoked');
    // The whole session is gone: the new refresh token and access token die with it.
    expect((await t.api('POST', '/api/v1/auth/refresh/', { body: { refresh_token: second.body.refresh_token } })).status).toBe(401);
    expect((await t.api('GET', '/api/v1/auth/me/', { token: second.body.token })).status).toBe(401);
  });

  it('revokes the access and refresh tokens at logout', async () => {
    const session = (await signIn(d.adminEmail, ADMIN_PASSWORD)).body;
    expect((await t.api('POST', '/api/v1/auth/logout/', { token: session.token })).status).toBe(204);
    const me = await t.api('GET', '/api/v1/auth/me/', { token: session.token });
    expect(me.status).toBe(401);
    expect(me.body.code).toBe('token-revoked');
    expect((await t.api('POST', '/api/v1/auth/refresh/', { body: { refresh_token: session.refresh_token } })).status).toBe(401);
  });

  it('refuses a deactivated user at once, even with a valid token', async () => {
    const agent = d.demo.agents[2]!;
    const token = await t.login(agent.email, agent.password);
    t.server.deps.db.run(qb.updateTable('user').set({ is_active: 0 }).where('email', '=', agent.email));
    try {
      expect((await t.api('GET', '/api/v1/auth/me/', { token })).status).toBe(401);
      expect((await signIn(agent.email, agent.password)).status).toBe(401);
    } finally {
      t.server.deps.db.run(qb.updateTable('user').set({ is_active: 1 }).where('email', '=', agent.email));
    }
  });

  it('validates the login body', async () => {
    const res = await t.api('POST', '/api/v1/auth/', { body: { email: 'not-an-email', password: '' } });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation-failed');
    expect(res.body.details.map((x: { field: string }) => x.field).sort()).toEqual(['email', 'password']);
  });

  it('throttles repeated failures for an e-mail with 429 and a wait time, then lets the right password through later', async () => {
    const email = d.demo.agents[0]!.email;
    for (let i = 0; i < 10; i += 1) expect((await signIn(email, `wrong-${i}-password`)).status).toBe(401);
    const blocked = await signIn(email, d.demo.agents[0]!.password);
    expect(blocked.status).toBe(429);
    expect(blocked.body.code).toBe('rate-limited');
    expect(blocked.body.details.retry_after).toBeGreaterThan(0);
    clock += 16 * 60_000;
    try {
      expect((await signIn(email, d.demo.agents[0]!.password)).status).toBe(200);
    } finally {
      clock -= 16 * 60_000;
    }
  });
});
