import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedCloudTenant, startTestCloud, type SeededCloudTenant, type TestCloud } from '../../helpers/cloud.ts';
import { HqClient } from '../../helpers/hq.ts';

let cloud: TestCloud;
let acme: SeededCloudTenant;

beforeAll(async () => {
  cloud = await startTestCloud({ loginLimits: { perEmail: 3, perAddress: 1000, windowMs: 60_000 } });
  acme = await seedCloudTenant(cloud, 'acme');
});
afterAll(async () => cloud?.stop());

describe('HQ sign-in', () => {
  it('signs in with e-mail and password and answers who the user is and what they may do per tenant', async () => {
    const hq = new HqClient(cloud.url);
    const res = await hq.login(acme.adminEmail.toUpperCase(), acme.adminPassword);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: 900, scopes: ['read', 'manage', 'admin'] });
    expect(res.body.refresh_token).toMatch(/^sqr_/);
    const me = await hq.get('/api/v1/auth/me/');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      email: acme.adminEmail, is_super_admin: false,
      memberships: [{ tenant: 'acme', tenant_name: 'acme', role: 'admin', rights: ['read', 'manage', 'admin'] }],
    });
  });

  it('refuses a wrong password and an unknown e-mail alike, and an anonymous call to me/', async () => {
    const hq = new HqClient(cloud.url);
    const wrong = await hq.login('someone@acme.test', 'not-the-password');
    const unknown = await hq.login('nobody@nowhere.test', 'whatever-password');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect((await hq.get('/api/v1/auth/me/')).status).toBe(401);
  });

  it('rotates the refresh token; replaying the old one ends the whole session', async () => {
    const hq = await HqClient.signIn(cloud.url, acme.adminEmail, acme.adminPassword);
    const first = hq.refreshToken;
    const rotated = await hq.post('/api/v1/auth/refresh/', { refresh_token: first });
    expect(rotated.status).toBe(200);
    expect(rotated.body.refresh_token).not.toBe(first);
    hq.token = rotated.body.token;
    expect((await hq.get('/api/v1/auth/me/')).status).toBe(200);

    const replay = await hq.post('/api/v1/auth/refresh/', { refresh_token: first });
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe('token-revoked');
    expect((await hq.get('/api/v1/auth/me/')).status).toBe(401);
    expect((await hq.post('/api/v1/auth/refresh/', { refresh_token: rotated.body.refresh_token })).status).toBe(401);
  });

  it('logs out: the access token and the refresh token stop working at once', async () => {
    const hq = await HqClient.signIn(cloud.url, acme.adminEmail, acme.adminPassword);
    const refresh = hq.refreshToken;
    expect((await hq.post('/api/v1/auth/logout/')).status).toBe(204);
    const me = await hq.get('/api/v1/auth/me/');
    expect(me.status).toBe(401);
    expect(me.body.code).toBe('token-revoked');
    expect((await hq.post('/api/v1/auth/refresh/', { refresh_token: refresh })).status).toBe(401);
  });

  it('throttles repeated failures for an account, even when the right password comes next', async () => {
    const victim = await seedCloudTenant(cloud, 'throttled');
    const hq = new HqClient(cloud.url);
    for (let i = 0; i < 3; i += 1) expect((await hq.login(victim.adminEmail, 'guess-number-' + i)).status).toBe(401);
    const blocked = await hq.login(victim.adminEmail, victim.adminPassword);
    expect(blocked.status).toBe(429);
    expect(blocked.body).toMatchObject({ code: 'rate-limited', details: { retry_after: expect.any(Number) } });
    // Other accounts are not affected.
    expect((await hq.login(acme.adminEmail, acme.adminPassword)).status).toBe(200);
  });

  it('answers 400 with a message for a malformed sign-in body', async () => {
    const res = await new HqClient(cloud.url).post('/api/v1/auth/', { email: 'not-an-email', password: 'x' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'validation-failed', error: expect.stringContaining('email') });
  });
});
