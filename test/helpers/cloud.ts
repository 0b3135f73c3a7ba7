import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { startCloud, type CloudStartOptions, type RunningCloud } from '../../sync/cloud/start.ts';
import { createEnrollmentToken } from '../../sync/cloud/use-cases/enrollment.ts';
import { createCloudSite, createCloudTenant } from '../../sync/cloud/use-cases/tenants.ts';
import { challengeMessage } from '../../sync/protocol/messages.ts';
import { PROTOCOL_HEADER, SYNC_PROTOCOL_VERSION } from '../../sync/protocol/version.ts';
import { openTestCloudDb, type TestCloudDb } from './cloud-db.ts';

export type TestCloud = RunningCloud & Readonly<{ db: TestCloudDb; stop(): Promise<void> }>;

/** A cloud on its own fresh database (PostgreSQL server in CI, PGlite otherwise), on port 0. */
export async function startTestCloud(options: Omit<CloudStartOptions, 'cloud'> = {}): Promise<TestCloud> {
  const db = await openTestCloudDb();
  // No nightly retention on the wall clock: the retention test runs it with its own clock.
  const cloud = await startCloud({ retentionHour: null, ...options, cloud: db });
  return {
    ...cloud,
    db,
    async stop() {
      await cloud.close();
      await db.drop();
    },
  };
}

export type SeededCloudTenant = Readonly<{ tenantId: string; siteId: string; adminUserId: string; slug: string; adminEmail: string; adminPassword: string }>;

export async function seedCloudTenant(cloud: RunningCloud, slug: string, siteSlug = 'main'): Promise<SeededCloudTenant> {
  const adminEmail = `admin@${slug}.test`;
  const adminPassword = `pw-${slug}-123456`;
  const { tenantId, adminUserId } = await createCloudTenant(cloud.deps, { name: slug, slug, adminEmail, adminPassword });
  const siteId = await createCloudSite(cloud.deps, tenantId, { name: `${slug} ${siteSlug}`, slug: siteSlug });
  return { tenantId, siteId, adminUserId, slug, adminEmail, adminPassword };
}

export async function enrollmentToken(cloud: RunningCloud, tenantId: string, siteId: string): Promise<string> {
  return (await createEnrollmentToken(cloud.deps, { tenantId, siteId, createdBy: null })).token;
}

/** A branch's sync identity as a raw HTTP client: Ed25519 key, enroll, challenge–response sign-in. */
export class RawDevice {
  readonly privateKey: KeyObject;
  readonly publicKey: string;
  deviceId = '';
  accessToken = '';

  constructor(readonly baseUrl: string) {
    const pair = generateKeyPairSync('ed25519');
    this.privateKey = pair.privateKey;
    this.publicKey = String(pair.publicKey.export({ format: 'jwk' }).x);
  }

  async call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        [PROTOCOL_HEADER]: String(SYNC_PROTOCOL_VERSION),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(this.accessToken ? { authorization: `Bearer ${this.accessToken}` } : {}),
        ...headers,
      },
      body: body === undefined ? null : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }

  async enroll(token: string): Promise<{ status: number; body: any }> {
    const res = await this.call('POST', '/sync/v1/enroll', { token, public_key: this.publicKey, name: 'test branch', app_version: 'test', schema_version: 12 });
    if (res.status === 201) this.deviceId = res.body.device_id;
    return res;
  }

  async signIn(): Promise<{ status: number; body: any }> {
    const challenge = await this.call('POST', '/sync/v1/challenge', { device_id: this.deviceId });
    const signature = sign(null, Buffer.from(challengeMessage(this.deviceId, challenge.body.nonce)), this.privateKey).toString('base64url');
    const res = await this.call('POST', '/sync/v1/token', { device_id: this.deviceId, nonce: challenge.body.nonce, signature });
    if (res.status === 200) this.accessToken = res.body.access_token;
    return res;
  }
}
