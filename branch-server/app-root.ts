import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The application's root folder (where package.json, `branch-server/assets` and `dist/renderer` are).
 * Found by walking up from this module rather than by a fixed `../..`, because this code runs both
 * from its source (`branch-server/…`, tests and tsx) and bundled into `dist/server/start.mjs`
 * (`npm start`), which sit at different depths.
 */
export function findAppRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'branch-server'))) return dir;
    if (dirname(dir) === dir) return from; // not found: keep the old relative behaviour's anchor
  }
}

export const APP_ROOT = findAppRoot(import.meta.dirname);
