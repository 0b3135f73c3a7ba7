import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mirrorUpdates } from '../../../branch-server/jobs/update-mirror.ts';
import { startTestCloud, type TestCloud } from '../../helpers/cloud.ts';
import { startTestServer, type TestServer } from '../../helpers/server.ts';

/**
 * The branch keeps its LAN update mirror in step with the cloud's release feed: each installer is
 * downloaded once, verified against the feed's sha512, and the feed is published on the LAN only
 * when every file it names is there.
 */
let cloud: TestCloud;
let branch: TestServer;
const cloudDir = mkdtempSync(join(tmpdir(), 'sq-cloud-updates-'));
const sha512 = (bytes: Buffer) => createHash('sha512').update(bytes).digest('base64');

function publish(version: string, installer: Buffer, claimedSha = sha512(installer)): string {
  const name = `SmartQueue-${version}.AppImage`;
  writeFileSync(join(cloudDir, name), installer);
  writeFileSync(join(cloudDir, 'latest-linux.yml'), [
    `version: ${version}`, 'files:', `  - url: ${name}`, `    sha512: ${claimedSha}`, `    size: ${installer.length}`,
    `path: ${name}`, `sha512: ${claimedSha}`, `releaseDate: '2026-11-30T00:00:00.000Z'`, '',
  ].join('\n'));
  return name;
}

beforeAll(async () => {
  cloud = await startTestCloud({ updatesDir: cloudDir });
  branch = await startTestServer();
});
afterAll(async () => {
  await branch?.close();
  await cloud?.stop();
  rmSync(cloudDir, { recursive: true, force: true });
});

describe('the LAN update mirror fed from the cloud', () => {
  it('downloads a release once, verified, and serves it to the branch PCs', async () => {
    const installer = Buffer.from('installer 0.2.0 '.repeat(4096));
    const name = publish('0.2.0', installer);
    const dir = join(branch.dataDir, 'updates');

    const first = await mirrorUpdates({ cloudUrl: cloud.url, dir });
    expect(first).toEqual({ feeds: ['latest-linux.yml'], downloaded: [name], failed: [] });
    const served = await fetch(`${branch.url}/updates/${name}`);
    expect(Buffer.from(await served.arrayBuffer()).equals(installer)).toBe(true);
    expect(await (await fetch(`${branch.url}/updates/latest-linux.yml`)).text()).toContain('version: 0.2.0');

    // Nothing new at the cloud: nothing downloaded again.
    expect(await mirrorUpdates({ cloudUrl: cloud.url, dir })).toEqual({ feeds: ['latest-linux.yml'], downloaded: [], failed: [] });
  });

  it('keeps the previous release on the LAN when a download does not match its sha512, leaving no partial file', async () => {
    const dir = join(branch.dataDir, 'updates');
    const broken = publish('0.3.0', Buffer.from('truncated'), sha512(Buffer.from('the real 0.3.0 installer')));

    const report = await mirrorUpdates({ cloudUrl: cloud.url, dir });
    expect(report.feeds).toEqual([]);
    expect(report.failed).toEqual([{ file: broken, reason: 'sha512 does not match the feed' }]);
    expect(readFileSync(join(dir, 'latest-linux.yml'), 'utf8')).toContain('version: 0.2.0');
    expect(existsSync(join(dir, broken))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('reports an unreachable cloud and changes nothing', async () => {
    const dir = join(branch.dataDir, 'updates');
    const before = readdirSync(dir).sort();
    const report = await mirrorUpdates({ cloudUrl: 'http://127.0.0.1:9', dir });
    expect(report.feeds).toEqual([]);
    expect(report.failed.map((f) => f.file)).toEqual(['latest.yml', 'latest-linux.yml']);
    expect(readdirSync(dir).sort()).toEqual(before);
  });
});
