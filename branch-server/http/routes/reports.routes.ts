import { reportRoutes } from '../../contract/reports.contract.ts';
import { dailyReport } from '../../use-cases/daily-report.ts';
import type { Handlers } from '../context.ts';

export const reportHandlers: Handlers<typeof reportRoutes> = {
  dailyReport: ({ deps, tenant, query, now }) => dailyReport(deps.db, tenant.id, query, now),
};
