import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

/**
 * `npm run build:server`: the branch server bundled into one ES module, `dist/server/start.mjs`, which
 * `npm start` runs with plain node. Running the TypeScript sources through tsx costs about a second
 * of transpiling at every start (cold start is a figure of `npm run bench`); the bundle costs none.
 * npm packages stay external (resolved from node_modules as usual: native modules, asset folders).
 */
export async function buildServer() {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const started = performance.now();
  await build({
    absWorkingDir: root,
    entryPoints: ['branch-server/cli/start.ts'],
    outfile: 'dist/server/start.mjs',
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  return { file: `${root}dist/server/start.mjs`, ms: performance.now() - started };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { file, ms } = await buildServer();
  console.log(`built ${file} in ${Math.round(ms)} ms`);
}
