import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { request, type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { join } from 'node:path';
import { configureRequestOptions, configureRequestUrl, HttpExecutor, type DownloadOptions } from 'builder-util-runtime';
import type { AppAdapter } from 'electron-updater/out/AppAdapter.js';

/**
 * Test doubles for the two Electron parts electron-updater uses, nothing else: the app (version,
 * paths) and `net` (replaced by node:http, which speaks the same HTTP to the feed server).
 */
export class NodeHttpExecutor extends HttpExecutor<ClientRequest> {
  override createRequest(options: RequestOptions, callback: (response: IncomingMessage) => void): ClientRequest {
    return request(options, callback);
  }

  /** As electron-updater's ElectronHttpExecutor downloads, over node:http. */
  download(url: URL, destination: string, options: DownloadOptions): Promise<string> {
    return options.cancellationToken.createPromise((resolve, reject, onCancel) => {
      const requestOptions: RequestOptions = { headers: options.headers || undefined };
      configureRequestUrl(url, requestOptions);
      configureRequestOptions(requestOptions);
      this.doDownload(requestOptions, {
        destination, options, onCancel, responseHandler: null,
        callback: (error) => (error == null ? resolve(destination) : reject(error)),
      }, 0);
    });
  }
}

export function fakeApp(dir: string, version: string, feedUrl: string): AppAdapter {
  mkdirSync(dir, { recursive: true });
  const appUpdateConfigPath = join(dir, 'app-update.yml');
  // What electron-builder writes into resources/app-update.yml for the generic provider.
  writeFileSync(appUpdateConfigPath, `provider: generic\nurl: ${feedUrl}\nupdaterCacheDirName: smartqueue-updater\n`);
  return {
    version, name: 'SmartQueue', isPackaged: true, appUpdateConfigPath,
    userDataPath: join(dir, 'user-data'), baseCachePath: join(dir, 'cache'),
    whenReady: () => Promise.resolve(),
    relaunch: () => undefined, quit: () => undefined, onQuit: () => undefined,
  };
}

/**
 * Publishes a release into a feed folder as electron-builder does: the installer and
 * `latest-linux.yml` / `latest.yml` naming it with its sha512 (base64) and size.
 */
export function publishRelease(dir: string, version: string, options: { corruptHash?: boolean } = {}): { file: string; bytes: Buffer } {
  mkdirSync(dir, { recursive: true });
  const bytes = randomBytes(64 * 1024);
  const deb = `smartqueue_${version}_amd64.deb`;
  const exe = `SmartQueue-Setup-${version}.exe`;
  writeFileSync(join(dir, deb), bytes);
  writeFileSync(join(dir, exe), bytes);
  const sha512 = options.corruptHash ? createHash('sha512').update('something else').digest('base64') : createHash('sha512').update(bytes).digest('base64');
  const date = '2026-11-30T00:00:00.000Z';
  const yml = (file: string) => `version: ${version}\nfiles:\n  - url: ${file}\n    sha512: ${sha512}\n    size: ${bytes.length}\npath: ${file}\nsha512: ${sha512}\nreleaseDate: '${date}'\n`;
  writeFileSync(join(dir, 'latest-linux.yml'), yml(deb));
  writeFileSync(join(dir, 'latest.yml'), yml(exe));
  return { file: deb, bytes };
}
