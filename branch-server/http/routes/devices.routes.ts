import { deviceRoutes } from '../../contract/devices.contract.ts';
import { qb } from '../../db/sqlite.ts';
import { DomainError } from '../../domain/errors.ts';
import {
  createDevice, getDeviceRow, pairDevice, regeneratePairingCode, revokeDevice, toDeviceDto,
} from '../../use-cases/pair-device.ts';
import type { Handlers } from '../context.ts';
import { paginate } from '../pagination.ts';
import { LoginRateLimiter } from '../rate-limit.ts';
import { callerOf } from './tickets.routes.ts';

/** Failed pairing attempts allowed per client address in 15 minutes: 40 bits of code, few guesses. */
export const PAIRING_MAX_FAILURES = 10;

/**
 * Device handlers. A factory, so each app (each server, each test) has its own pairing throttle:
 * guessing codes from one address stops after a few failures, whatever the code tried.
 */
export function deviceHandlers(
  limiter = new LoginRateLimiter({ perEmail: PAIRING_MAX_FAILURES, perAddress: PAIRING_MAX_FAILURES, windowMs: 15 * 60_000 }),
): Handlers<typeof deviceRoutes> {
  return {
    listDevices(ctx) {
      const { query: q, tenant } = ctx;
      let query = qb.selectFrom('device').selectAll().where('tenant_id', '=', tenant.id);
      if (q.type) query = query.where('type', '=', q.type);
      if (q.status === 'revoked') query = query.where('revoked_at', 'is not', null);
      if (q.status === 'paired') query = query.where('revoked_at', 'is', null).where('key_hash', 'is not', null);
      if (q.status === 'pending') query = query.where('revoked_at', 'is', null).where('key_hash', 'is', null);
      query = query.orderBy('created_at', 'desc').orderBy('id', 'desc');
      return paginate(ctx.deps.db, query, q, ctx.origin, ctx.req, (rows) => rows.map(toDeviceDto));
    },
    createDevice: (ctx) => createDevice(ctx.deps, callerOf(ctx), ctx.body, ctx.deps.config.pairingTtlSeconds),
    getDevice: (ctx) => toDeviceDto(getDeviceRow(ctx.deps.db, ctx.tenant.id, ctx.params.id)),
    revokeDevice(ctx) {
      revokeDevice(ctx.deps, callerOf(ctx), ctx.params.id);
      return null;
    },
    regeneratePairingCode: (ctx) => regeneratePairingCode(ctx.deps, callerOf(ctx), ctx.params.id, ctx.deps.config.pairingTtlSeconds),
    pairDevice(ctx) {
      // There is no account here: both of the limiter's keys are the client address.
      const address = ctx.actor.ip;
      const wait = limiter.retryAfter(address, address, ctx.now);
      if (wait > 0) {
        throw new DomainError('rate-limited', `Too many wrong pairing codes. Try again in ${wait} s.`, { retry_after: wait });
      }
      try {
        return pairDevice(ctx.deps.db, ctx.body.pairing_code, ctx.actor, ctx.now);
      } catch (error) {
        if (error instanceof DomainError && error.code === 'invalid-pairing-code') limiter.fail(address, address, ctx.now);
        throw error;
      }
    },
  };
}
