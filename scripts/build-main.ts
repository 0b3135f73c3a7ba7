import { build, type Plugin } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * `npm run build:main`: bundles the Electron side with esbuild into dist/
 *   dist/main/main.js            Electron main (ESM)
 *   dist/main/preload.cjs        the sandboxed preload (CommonJS, no dependency but electron)
 *   dist/main/branch-server.js   the branch server as the shell forks it (utilityProcess)
 *   dist/main/print-agent.js     the kiosk's print agent (utilityProcess)
 *   dist/shell/                  the shell's own pages (first-run setup, kiosk exit PIN)
 * npm packages stay external (electron-builder ships node_modules, native modules rebuilt for Electron).
 */

const ROOT = resolve(import.meta.dirname, '..');

/**
 * Source files that find files next to themselves (`import.meta.dirname` / `import.meta.url`: the UI
 * build, voice clips, package.json) would look next to the bundle instead. This rewrites those two
 * expressions to the file's own place under the app root, which the bundle finds from its own URL.
 */
function appRootPaths(outdir: string): { plugin: Plugin; banner: string } {
  const rootFromOut = relative(outdir, ROOT) || '.';
  const banner = [
    "import { fileURLToPath as __sqToPath, pathToFileURL as __sqToUrl } from 'node:url';",
    "import { dirname as __sqDirname, join as __sqJoin } from 'node:path';",
    `const __sqRoot = __sqJoin(__sqDirname(__sqToPath(import.meta.url)), ${JSON.stringify(rootFromOut)});`,
  ].join('\n');
  const plugin: Plugin = {
    name: 'app-root-paths',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, (args) => {
        if (args.path.includes(`${sep}node_modules${sep}`) || args.path.startsWith(join(ROOT, 'main') + sep)) return undefined;
        const source = readFileSync(args.path, 'utf8');
        if (!source.includes('import.meta.')) return undefined;
        const dir = relative(ROOT, dirname(args.path)).split(sep).join('/');
        const file = relative(ROOT, args.path).split(sep).join('/');
        return {
          loader: 'ts',
          contents: source
            .replaceAll('import.meta.dirname', `__sqJoin(__sqRoot, ${JSON.stringify(dir)})`)
            .replaceAll('import.meta.url', `__sqToUrl(__sqJoin(__sqRoot, ${JSON.stringify(file)})).href`),
        };
      });
    },
  };
  return { plugin, banner };
}

export type BuildMainOptions = Readonly<{ outdir?: string; only?: readonly ('main' | 'preload' | 'branch-server' | 'print-agent' | 'shell')[] }>;

export async function buildMain(options: BuildMainOptions = {}): Promise<string> {
  const out = options.outdir ?? join(ROOT, 'dist');
  const mainOut = join(out, 'main');
  const want = (part: NonNullable<BuildMainOptions['only']>[number]) => !options.only || options.only.includes(part);
  const node = { bundle: true, platform: 'node', target: 'node22', packages: 'external', sourcemap: true, logLevel: 'warning' } as const;
  const roots = appRootPaths(mainOut);
  const jobs: Promise<unknown>[] = [];
  if (want('main')) {
    jobs.push(build({ ...node, format: 'esm', entryPoints: { main: join(ROOT, 'main/main.ts') }, outdir: mainOut, external: ['electron'] }));
  }
  if (want('preload')) {
    // Sandboxed: no Node, `require` knows only electron's renderer modules. Everything else is inlined.
    jobs.push(build({
      bundle: true, platform: 'browser', format: 'cjs', target: 'chrome130', sourcemap: 'inline', logLevel: 'warning',
      entryPoints: [join(ROOT, 'main/preload.ts')], outfile: join(mainOut, 'preload.cjs'), external: ['electron'],
    }));
  }
  for (const [part, entry] of [['branch-server', 'main/branch-server.utility.ts'], ['print-agent', 'hardware/print-agent/cli.ts']] as const) {
    if (!want(part)) continue;
    jobs.push(build({
      ...node, format: 'esm', entryPoints: { [part]: join(ROOT, entry) }, outdir: mainOut,
      plugins: [roots.plugin], banner: { js: roots.banner },
    }));
  }
  if (want('shell')) {
    const shellOut = join(out, 'shell');
    mkdirSync(shellOut, { recursive: true });
    for (const file of ['setup.html', 'exit.html', 'shell.css']) copyFileSync(join(ROOT, 'renderer/shell', file), join(shellOut, file));
    jobs.push(build({
      bundle: true, platform: 'browser', format: 'esm', target: 'chrome130', sourcemap: true, logLevel: 'warning',
      entryPoints: [join(ROOT, 'renderer/shell/setup.ts'), join(ROOT, 'renderer/shell/exit.ts')], outdir: shellOut,
    }));
  }
  await Promise.all(jobs);
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  await buildMain();
}
