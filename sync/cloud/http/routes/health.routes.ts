import { sql } from 'kysely';
import { z } from 'zod';
import { CLOUD_PUBLIC, defineCloudRoutes } from '../../../protocol/cloud-route.ts';
import type { CloudHandlers } from '../context.ts';

export const healthRoutes = defineCloudRoutes({
  health: {
    method: 'get', path: '/api/v1/health/', tag: 'health', access: CLOUD_PUBLIC,
    summary: 'Cloud health: database reachable, version, epoch',
    response: z.object({
      status: z.enum(['ok', 'degraded', 'failing']),
      version: z.string(),
      epoch: z.string(),
      time: z.number().int(),
      checks: z.object({ database: z.object({ status: z.enum(['ok', 'failing']), kind: z.string(), detail: z.string() }) }),
    }),
  },
});

export const healthHandlers: CloudHandlers<typeof healthRoutes> = {
  async health(ctx) {
    const { cloud, config } = ctx.deps;
    let database: { status: 'ok' | 'failing'; kind: string; detail: string };
    try {
      await sql`SELECT 1`.execute(cloud.db);
      database = { status: 'ok', kind: cloud.kind, detail: '' };
    } catch (error) {
      database = { status: 'failing', kind: cloud.kind, detail: (error as Error).message };
    }
    if (database.status !== 'ok') ctx.setStatus(503);
    return {
      status: database.status === 'ok' ? 'ok' : 'failing',
      version: config.version,
      epoch: config.epoch,
      time: ctx.now,
      checks: { database },
    };
  },
};
