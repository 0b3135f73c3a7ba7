import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Express, type Response } from 'express';
import { CSP, UI_DIR } from '../../../branch-server/http/ui.ts';

/**
 * Serves the HQ dashboard (renderer/hq, built by `npm run build:ui`) at /hq, with its assets under
 * /ui/ like the branch's pages; `/` leads there. A static shell: data comes from the HQ API.
 */
export function mountHqUi(app: Express, uiDir: string = UI_DIR): void {
  const page = (_req: unknown, res: Response) => {
    const file = join(uiDir, 'hq', 'index.html');
    res.setHeader('Content-Security-Policy', CSP);
    res.setHeader('Cache-Control', 'no-cache');
    if (!existsSync(file)) {
      res.status(503).type('text/plain').send('The HQ dashboard is not built. Run: npm run build:ui');
      return;
    }
    res.sendFile(file);
  };
  app.use('/ui', express.static(uiDir, { index: false, maxAge: '1h', fallthrough: false }));
  app.get('/hq', page);
  app.get('/', (_req, res) => res.redirect(302, '/hq'));
}
