import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Express, type Response } from 'express';
import { APP_ROOT } from '../app-root.ts';

/** Where `npm run build:ui` puts the UIs (repository root / dist / renderer). */
export const UI_DIR = join(APP_ROOT, 'dist/renderer');

export const CSP = [
  "default-src 'self'",
  "connect-src 'self' ws: wss:",
  "img-src 'self' data: blob:",
  "media-src 'self' data: blob:",
  "style-src 'self' 'unsafe-inline'",
  "script-src 'self'",
  "font-src 'self' data:",
  "frame-ancestors 'self'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/**
 * Serves the browser UIs at the routes of the contract: /kiosk, /display/{id}, /agent, /manager,
 * /t/{public_id} and the public booking and remote-join page /book/{site_id}, with their assets under /ui/. Each page is a static shell; data comes from the API.
 */
export function mountUi(app: Express, uiDir: string = UI_DIR): void {
  const page = (name: string) => (_req: unknown, res: Response) => {
    const file = join(uiDir, name, 'index.html');
    res.setHeader('Content-Security-Policy', CSP);
    res.setHeader('Cache-Control', 'no-cache');
    if (!existsSync(file)) {
      res.status(503).type('text/plain').send('The user interface is not built. Run: npm run build:ui');
      return;
    }
    res.sendFile(file);
  };
  app.use('/ui', express.static(uiDir, { index: false, maxAge: '1h', fallthrough: false }));
  app.get('/kiosk', page('kiosk'));
  app.get('/display/:display_id', page('display'));
  app.get('/display', page('display'));
  app.get('/agent', page('agent'));
  app.get('/manager', page('manager'));
  app.get('/t/:public_id', page('track'));
  app.get('/book/:site_id', page('book'));
  app.get('/', (_req, res) => res.redirect(302, '/manager'));
}
