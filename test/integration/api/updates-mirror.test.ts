import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../helpers/server.ts';

/** A raw GET (fetch would normalise `..` in the path before sending it). */
function rawGet(url: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method: 'GET', headers }, (res) => {
      let body = '';
      res.setEncoding('latin1');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('LAN update mirror (/updates/)', () => {
  let t: TestServer;
  const feed = 'version: 0.2.0\nfiles:\n  - url: smartqueue_0.2.0_amd64.deb\n    sha512: abc\n    size: 10\npath: smartqueue_0.2.0_amd64.deb\nsha512: abc\nreleaseDate: 2026-11-30T00:00:00.000Z\n';

  beforeAll(async () => {
    t = await startTestServer();
    const dir = join(t.dataDir, 'updates');
    writeFileSync(join(dir, 'latest-linux.yml'), feed);
    writeFileSync(join(dir, 'smartqueue_0.2.0_amd64.deb'), Buffer.from('0123456789'));
    writeFileSync(join(dir, '.hidden'), 'no');
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'x.yml'), 'no');
  });
  afterAll(() => t.close());

  it('serves the feed without a login, uncached, and the installer it names', async () => {
    const yml = await fetch(`${t.url}/updates/latest-linux.yml`);
    expect(yml.status).toBe(200);
    expect(yml.headers.get('content-type')).toMatch(/yaml/);
    expect(yml.headers.get('cache-control')).toBe('no-cache');
    expect(await yml.text()).toBe(feed);
    const deb = await fetch(`${t.url}/updates/smartqueue_0.2.0_amd64.deb`);
    expect(deb.status).toBe(200);
    expect(Buffer.from(await deb.arrayBuffer()).toString()).toBe('0123456789');
  });

  it('answers byte ranges (electron-updater resumes and downloads differentially)', async () => {
    const res = await fetch(`${t.url}/updates/smartqueue_0.2.0_amd64.deb`, { headers: { range: 'bytes=2-5' } });
    expect(res.status).toBe(206);
    expect(await res.text()).toBe('2345');
  });

  it.each([
    '/updates/../branch.sqlite',
    '/updates/..%2Fbranch.sqlite',
    '/updates/%2e%2e%2fbranch.sqlite',
    '/updates/..%5cbranch.sqlite',
    '/updates/%2e%2e/jwt-secret',
    '/updates/sub/x.yml',
    '/updates/sub%2Fx.yml',
    '/updates/.hidden',
    '/updates/sub',
    '/updates/',
    '/updates/missing.yml',
  ])('never serves anything but a file of the folder: %s', async (path) => {
    const res = await rawGet(t.url, path);
    expect([400, 403, 404]).toContain(res.status);
    expect(res.body).not.toContain('SQLite format');
    expect(res.body).not.toBe('no');
  });

  it('is read-only', async () => {
    const res = await fetch(`${t.url}/updates/latest-linux.yml`, { method: 'PUT', body: 'version: 9.9.9' });
    expect(res.status).toBe(405);
    expect(await res.json()).toMatchObject({ code: 'method-not-allowed' });
    expect(await (await fetch(`${t.url}/updates/latest-linux.yml`)).text()).toBe(feed);
  });
});
