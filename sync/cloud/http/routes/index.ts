import { bindCloud, type CloudBound } from '../app.ts';
import { syncRoutes } from '../../../protocol/sync.contract.ts';
import { healthHandlers, healthRoutes } from './health.routes.ts';
import { syncHandlers } from './sync.routes.ts';

/** Every cloud route with its handler. */
export function cloudRoutes(): CloudBound[] {
  return [
    ...bindCloud(healthRoutes, healthHandlers),
    ...bindCloud(syncRoutes, syncHandlers),
  ];
}
