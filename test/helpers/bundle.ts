import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const ROOT = resolve(import.meta.dirname, '../..');

/**
 * Bundles a TypeScript entry point into one ES module under node_modules/.cache (npm packages stay
 * external and resolve from the repository's node_modules). Tests that start a process many times
 * (the cloud killed 50 times) launch the bundle with plain `node` instead of paying tsx's loader
 * on every start. Returns the bundle's path.
 */
export async function bundleEntry(entry: string, name: string): Promise<string> {
  const dir = join(ROOT, 'node_modules/.cache/sq-test-bundles');
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, `${name}-${process.pid}.mjs`);
  await build({
    entryPoints: [join(ROOT, entry)], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20',
    packages: 'external', sourcemap: 'inline', logLevel: 'warning',
  });
  return outfile;
}
