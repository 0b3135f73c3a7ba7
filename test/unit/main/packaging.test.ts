import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');
const require = createRequire(join(ROOT, 'package.json'));

describe('packaging (electron-builder.yml)', () => {
  it('passes electron-builder\'s own schema validation, with the targets and native rebuild the app needs', async () => {
    const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config.js');
    const { DebugLogger } = require('builder-util');
    const config = await getConfig(ROOT, join(ROOT, 'electron-builder.yml'), null);
    await validateConfiguration(config, new DebugLogger(false));
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.win.target).toEqual([{ target: 'nsis', arch: ['x64'] }]);
    expect(config.npmRebuild).toBe(true);
    expect(config.asarUnpack).toContain('**/*.node');
    expect(config.publish).toMatchObject({ provider: 'generic' });
    expect(config.extraMetadata.main).toBe('dist/main/main.js');
    expect(config.files[0].filter).toEqual(expect.arrayContaining(['dist/main/**', 'dist/shell/**', 'dist/renderer/**', 'branch-server/assets/**']));
  });

  it('installs without downloading Electron\'s binary, and names the one command that fetches it', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.allowScripts.electron).toBe(false);
    expect(pkg.devDependencies.electron).toBeDefined();
    expect(pkg.scripts['electron:fetch']).toBe('node node_modules/electron/install.js');
    expect(pkg.main).toBe('dist/main/main.js');
  });
});
