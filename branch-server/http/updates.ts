import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Express, Request, Response } from 'express';

/**
 * A flat file name as electron-builder publishes them (`latest.yml`, `latest-linux.yml`,
 * `SmartQueue-0.2.0.AppImage`, `SmartQueue Setup 0.2.0.exe`, `*.blockmap`): no separator, no leading dot.
 */
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._ +-]{0,200}$/;

function notFound(res: Response): void {
  res.status(404).json({ detail: 'Not found.', code: 'not-found' });
}

/**
 * The LAN update mirror: serves the desktop app's update feed (electron-updater generic provider:
 * `latest*.yml` and the installers they name) from `DATA_DIR/updates`, so the branch's PCs download
 * an update once over the LAN instead of each over the branch's internet link. Read-only and public
 * (an installer is no secret; it is verified by the sha512 in the feed); only plain files directly
 * in that folder are served, never anything above or beside it.
 */
export function mountUpdates(app: Express, dir: string): void {
  const serve = (req: Request, res: Response) => {
    const name = String(req.params['file'] ?? '');
    if (!FILE_NAME.test(name) || name.includes('..')) return notFound(res);
    const file = join(dir, name);
    let isFile = false;
    try {
      isFile = statSync(file).isFile();
    } catch {
      isFile = false;
    }
    if (!isFile) return notFound(res);
    // The feed must be re-read on every check; installers never change under the same name.
    res.setHeader('Cache-Control', name.endsWith('.yml') ? 'no-cache' : 'public, max-age=86400');
    if (name.endsWith('.yml')) res.type('text/yaml');
    res.sendFile(file, { dotfiles: 'deny', lastModified: true, acceptRanges: true }, (error) => {
      if (error && !res.headersSent) notFound(res);
    });
  };
  app.get('/updates/:file', serve);
  app.all('/updates/:file', (_req, res) => {
    res.setHeader('Allow', 'GET, HEAD');
    res.status(405).json({ error: 'Method not allowed. Use GET, HEAD.', code: 'method-not-allowed' });
  });
  app.use('/updates', (_req, res) => notFound(res));
}
