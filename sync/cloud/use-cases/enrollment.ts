import { createHash, createPublicKey, randomBytes, verify } from 'node:crypto';
import { uuidv7 } from '../../../branch-server/ids.ts';
import { DomainError } from '../../../branch-server/domain/errors.ts';
import { challengeMessage, type EnrollRequest, type EnrollResponse, type TokenResponse } from '../../protocol/messages.ts';
import type { CloudDeps } from '../http/context.ts';
import { toSiteRef, toTenantRef } from './reference-rows.ts';

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const CHALLENGE_TTL_MS = 120_000;

/** A single-use enrollment token for one site, shown once. Only its hash is stored. */
export async function createEnrollmentToken(
  deps: CloudDeps,
  input: Readonly<{ tenantId: string; siteId: string; createdBy: string | null; ttlSeconds?: number }>,
): Promise<{ id: string; token: string; expiresAt: number }> {
  const now = deps.now();
  const token = randomBytes(24).toString('base64url');
  const id = uuidv7(now);
  const expiresAt = now + (input.ttlSeconds ?? deps.config.enrollTokenTtlSeconds) * 1000;
  await deps.cloud.withTenant(input.tenantId, async (trx) => {
    const site = await trx.selectFrom('site').select('id').where('id', '=', input.siteId).where('tenant_id', '=', input.tenantId).executeTakeFirst();
    if (!site) throw new DomainError('invalid-reference', 'That site does not belong to this tenant.');
    await trx.insertInto('enrollment_token').values({
      id, tenant_id: input.tenantId, site_id: input.siteId, token_hash: sha256(token), created_by: input.createdBy,
      created_at: now, expires_at: expiresAt,
    }).execute();
  });
  return { id, token, expiresAt };
}

/**
 * Enrolls a branch: consumes the token (atomically: a replayed token finds it used), records the
 * device's public key, and answers with the tenant and site the branch now belongs to.
 */
export async function enrollDevice(deps: CloudDeps, input: EnrollRequest): Promise<EnrollResponse> {
  const now = deps.now();
  publicKeyFrom(input.public_key);
  return deps.cloud.withSystem(async (trx) => {
    const deviceId = uuidv7(now);
    const token = await trx.updateTable('enrollment_token')
      .set({ used_at: now, used_by_device: deviceId })
      .where('token_hash', '=', sha256(input.token))
      .where('used_at', 'is', null)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .returning(['tenant_id', 'site_id'])
      .executeTakeFirst();
    if (!token) {
      throw new DomainError('enrollment-token-invalid', 'This enrollment token is unknown, expired, revoked or already used. Ask HQ for a new one.');
    }
    const tenant = await trx.selectFrom('tenant').selectAll().where('id', '=', token.tenant_id).executeTakeFirstOrThrow();
    const site = await trx.selectFrom('site').selectAll().where('id', '=', token.site_id).executeTakeFirstOrThrow();
    if (tenant.is_active !== 1) throw new DomainError('forbidden', 'This tenant is suspended.');
    await trx.insertInto('device').values({
      id: deviceId, tenant_id: tenant.id, site_id: site.id, name: input.name, public_key: input.public_key,
      app_version: input.app_version, schema_version: input.schema_version, enrolled_at: now, last_seen_at: now,
    }).execute();
    return { device_id: deviceId, tenant: toTenantRef(tenant), site: toSiteRef(site), epoch: deps.config.epoch, server_time: now };
  });
}

export async function issueChallenge(deps: CloudDeps, deviceId: string): Promise<{ nonce: string; expires_in: number }> {
  const now = deps.now();
  const device = await deps.cloud.db.selectFrom('device').select(['id', 'revoked_at']).where('id', '=', deviceId).executeTakeFirst();
  // Same answer for unknown, revoked and live devices: no probing of device ids. A revoked device
  // gets a real nonce so that, once it proves it holds its key, it is told it was revoked.
  const nonce = randomBytes(24).toString('base64url');
  if (device) {
    await deps.cloud.db.deleteFrom('device_challenge').where('device_id', '=', deviceId).where('expires_at', '<', now).execute();
    await deps.cloud.db.insertInto('device_challenge').values({ nonce, device_id: deviceId, expires_at: now + CHALLENGE_TTL_MS }).execute();
  }
  return { nonce, expires_in: CHALLENGE_TTL_MS / 1000 };
}

/** Verifies the signed nonce (single use, by the cloud's clock) and issues a device access token. */
export async function issueDeviceToken(
  deps: CloudDeps,
  input: Readonly<{ device_id: string; nonce: string; signature: string }>,
): Promise<TokenResponse> {
  const now = deps.now();
  const used = await deps.cloud.db.deleteFrom('device_challenge')
    .where('nonce', '=', input.nonce).where('device_id', '=', input.device_id)
    .returning('expires_at').executeTakeFirst();
  if (!used || used.expires_at <= now) throw new DomainError('token-invalid', 'This challenge is unknown, used or expired. Ask for a new one.');
  const device = await deps.cloud.db.selectFrom('device').selectAll().where('id', '=', input.device_id).executeTakeFirst();
  if (!device) throw new DomainError('token-invalid', 'Unknown device.');
  const ok = verify(null, Buffer.from(challengeMessage(device.id, input.nonce)), publicKeyFrom(device.public_key), Buffer.from(input.signature, 'base64url'));
  if (!ok) throw new DomainError('token-invalid', 'The signature does not match this device\'s key.');
  // Only the key holder learns that the device was revoked.
  if (device.revoked_at !== null) throw new DomainError('device-revoked', 'This branch has been revoked. Enroll it again.');
  await deps.cloud.db.updateTable('device').set({ last_seen_at: now }).where('id', '=', device.id).execute();
  const accessToken = await deps.tokens.sign({ typ: 'device', deviceId: device.id, tenantId: device.tenant_id, siteId: device.site_id }, now);
  return { access_token: accessToken, expires_in: deps.tokens.deviceTtlSeconds, epoch: deps.config.epoch, server_time: now };
}

/** Revokes a branch's device: its tokens stop working on the next request. */
export async function revokeDevice(deps: CloudDeps, tenantId: string, deviceId: string): Promise<boolean> {
  const now = deps.now();
  return deps.cloud.withTenant(tenantId, async (trx) => {
    const result = await trx.updateTable('device').set({ revoked_at: now }).where('id', '=', deviceId).where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  });
}

function publicKeyFrom(raw: string) {
  try {
    return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw }, format: 'jwk' });
  } catch {
    throw new DomainError('validation-failed', 'public_key: not a valid Ed25519 public key.');
  }
}
