import { DomainError } from '../../../../branch-server/domain/errors.ts';
import type { syncRoutes } from '../../../protocol/sync.contract.ts';
import type { CloudDevice, CloudHandlers, CloudPrincipal } from '../context.ts';
import { enrollDevice, issueChallenge, issueDeviceToken } from '../../use-cases/enrollment.ts';
import { applyPush } from '../../use-cases/push.ts';
import { pullChanges, readSnapshot, recordAck } from '../../use-cases/pull.ts';

function deviceOf(principal: CloudPrincipal): CloudDevice {
  if (principal.kind !== 'device') throw new DomainError('forbidden', 'Only an enrolled branch may call this route.');
  return principal;
}

export const syncHandlers: CloudHandlers<typeof syncRoutes> = {
  enroll: (ctx) => enrollDevice(ctx.deps, ctx.body),
  challenge: (ctx) => issueChallenge(ctx.deps, ctx.body.device_id),
  token: (ctx) => issueDeviceToken(ctx.deps, ctx.body),
  push: async (ctx) => {
    const result = await applyPush(ctx.deps, deviceOf(ctx.principal), ctx.body);
    const metrics = ctx.deps.metrics;
    if (metrics) {
      metrics.pushRows.inc({ result: 'applied' }, result.applied);
      metrics.pushRows.inc({ result: 'duplicate' }, result.duplicates);
      metrics.pushRows.inc({ result: 'rejected' }, result.rejected.length);
    }
    return result;
  },
  pull: (ctx) => pullChanges(ctx.deps, deviceOf(ctx.principal), ctx.query),
  snapshot: (ctx) => readSnapshot(ctx.deps, deviceOf(ctx.principal), ctx.query),
  ack: (ctx) => recordAck(ctx.deps, deviceOf(ctx.principal), ctx.body),
};
