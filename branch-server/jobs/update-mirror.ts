import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { z } from 'zod';
import type { Logger } from 'pino';
import { reportFailure } from '../ops/logger.ts';

/** The feeds electron-updater's generic provider reads: Windows (`latest.yml`) and Linux. */
export const UPDATE_FEEDS = ['latest.yml', 'latest-linux.yml'] as const;

/** The part of an electron-builder feed the mirror needs: each installer and its sha512 (base64). */
const Feed = z.object({
  version: z.string(),
  files: z.array(z.object({ url: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._ +-]{0,200}$/, 'a plain file name'), sha512: z.string().min(1) })).min(1),
});

export type MirrorReport = Readonly<{
  /** Feeds now served by this branch (new or unchanged). */
  feeds: string[];
  downloaded: string[];
  /** What could not be mirrored and why; the feed then keeps its previous version here. */
  failed: { file: string; reason: string }[];
}>;

export type MirrorOptions = Readonly<{
  cloudUrl: string;
  /** DATA_DIR/updates: what `/updates/` serves to the branch's PCs. */
  dir: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}>;

const sha512 = (bytes: Uint8Array) => createHash('sha512').update(bytes).digest('base64');

/**
 * Keeps the branch's LAN update mirror in step with the cloud's feed, so the branch downloads each
 * release once and its PCs update from the LAN. Installers are downloaded first, each verified
 * against the sha512 the feed gives and moved into place whole; the feed itself is written last and
 * only when every file it names is here, so a PC never reads a feed naming a file the mirror lacks.
 * A file already here with the right digest is not downloaded again.
 */
export async function mirrorUpdates(options: MirrorOptions): Promise<MirrorReport> {
  const get = options.fetch ?? fetch;
  const base = options.cloudUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 10 * 60_000;
  const report: MirrorReport = { feeds: [], downloaded: [], failed: [] };
  for (const feedName of UPDATE_FEEDS) {
    let text: string;
    try {
      const res = await get(`${base}/updates/${feedName}`, { signal: AbortSignal.timeout(30_000) });
      if (res.status === 404) continue;
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      text = await res.text();
    } catch (error) {
      report.failed.push({ file: feedName, reason: `feed unreachable: ${(error as Error).message}` });
      continue;
    }
    const parsed = Feed.safeParse((() => {
      try {
        return load(text);
      } catch {
        return null;
      }
    })());
    if (!parsed.success) {
      report.failed.push({ file: feedName, reason: 'not an electron-builder feed' });
      continue;
    }
    let complete = true;
    for (const file of parsed.data.files) {
      const target = join(options.dir, file.url);
      if (existsSync(target) && sha512(readFileSync(target)) === file.sha512) continue;
      const partial = join(options.dir, `.partial-${file.url}`);
      try {
        const res = await get(`${base}/updates/${encodeURIComponent(file.url)}`, { signal: AbortSignal.timeout(timeoutMs) });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        const bytes = new Uint8Array(await res.arrayBuffer());
        if (sha512(bytes) !== file.sha512) throw new Error('sha512 does not match the feed');
        writeFileSync(partial, bytes);
        renameSync(partial, target);
        report.downloaded.push(file.url);
      } catch (error) {
        rmSync(partial, { force: true });
        report.failed.push({ file: file.url, reason: (error as Error).message });
        complete = false;
      }
    }
    if (!complete) continue;
    const tmp = join(options.dir, `.partial-${feedName}`);
    writeFileSync(tmp, text);
    renameSync(tmp, join(options.dir, feedName));
    report.feeds.push(feedName);
  }
  return report;
}

export type UpdateMirror = Readonly<{ runOnce(): Promise<MirrorReport | null>; stop(): void }>;

/**
 * Mirrors the cloud's feed hourly (first a minute after start) while the branch is enrolled. One run
 * at a time; a failed run is simply tried again at the next hour.
 */
export function startUpdateMirror(options: Readonly<{ cloudUrl: () => string | null; dir: string; intervalMs?: number; firstRunMs?: number; logger?: Logger }>): UpdateMirror {
  let running: Promise<MirrorReport | null> | null = null;
  const runOnce = (): Promise<MirrorReport | null> => {
    const cloudUrl = options.cloudUrl();
    if (!cloudUrl) return Promise.resolve(null);
    running ??= mirrorUpdates({ cloudUrl, dir: options.dir }).then(
      (report) => {
        for (const f of report.failed) reportFailure(options.logger, 'update mirror: a file was not mirrored', new Error(f.reason), { file: f.file });
        return report;
      },
      (error: unknown) => {
        reportFailure(options.logger, 'update mirror failed', error);
        return null;
      },
    ).finally(() => { running = null; });
    return running;
  };
  const first = setTimeout(() => void runOnce(), options.firstRunMs ?? 60_000);
  const every = setInterval(() => void runOnce(), options.intervalMs ?? 3_600_000);
  first.unref();
  every.unref();
  return {
    runOnce,
    stop() {
      clearTimeout(first);
      clearInterval(every);
    },
  };
}
