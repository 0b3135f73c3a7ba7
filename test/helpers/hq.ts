import type { RunningCloud } from '../../sync/cloud/start.ts';
import { createCloudTenant } from '../../sync/cloud/use-cases/tenants.ts';

export type HqResponse = { status: number; body: any; headers: Headers };

/** An HQ user's HTTP client: signs in with e-mail and password, then sends the bearer token. */
export class HqClient {
  token = '';
  refreshToken = '';

  constructor(readonly baseUrl: string) {}

  static async signIn(baseUrl: string, email: string, password: string): Promise<HqClient> {
    const client = new HqClient(baseUrl);
    const res = await client.login(email, password);
    if (res.status !== 200) throw new Error(`sign-in of ${email} failed: ${res.status} ${JSON.stringify(res.body)}`);
    return client;
  }

  async login(email: string, password: string): Promise<HqResponse> {
    const res = await this.call('POST', '/api/v1/auth/', { email, password });
    if (res.status === 200) {
      this.token = res.body.token;
      this.refreshToken = res.body.refresh_token;
    }
    return res;
  }

  async call(method: string, path: string, body?: unknown): Promise<HqResponse> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
      },
      body: body === undefined ? null : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
  }

  get = (path: string) => this.call('GET', path);
  post = (path: string, body: unknown = {}) => this.call('POST', path, body);
  patch = (path: string, body: unknown) => this.call('PATCH', path, body);
  delete = (path: string) => this.call('DELETE', path);
}

/** A platform super-admin (their own tenant, as the CLI's `--super-admin` makes them). */
export async function seedSuperAdmin(cloud: RunningCloud, email = 'root@platform.test', password = 'root-password-123'): Promise<{ email: string; password: string }> {
  await createCloudTenant(cloud.deps, { name: 'Platform', slug: 'platform', adminEmail: email, adminPassword: password, superAdmin: true });
  return { email, password };
}

/** The tenant's change feed after `seq`, as branches would pull it. */
export async function feedAfter(cloud: RunningCloud, tenantId: string, seq = 0): Promise<{ seq: number; entity: string; entity_id: string; op: string; data: any }[]> {
  return cloud.deps.cloud.db.selectFrom('change_feed').select(['seq', 'entity', 'entity_id', 'op', 'data'])
    .where('tenant_id', '=', tenantId).where('seq', '>', seq).orderBy('seq').execute();
}

export async function feedHeadOf(cloud: RunningCloud, tenantId: string): Promise<number> {
  const row = await cloud.deps.cloud.db.selectFrom('tenant_feed_counter').select('value').where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
  return row.value;
}
