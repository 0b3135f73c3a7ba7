import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../branch-server/config.ts';
import { start } from '../../../branch-server/start.ts';
import { loadTicketFont } from '../../../hardware/fonts/ticket-font.ts';
import { seedDemoTenant, startTestServer } from '../../helpers/server.ts';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'sq-font-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('the font Arabic ticket lines are drawn with (TICKET_FONT)', () => {
  it('refuses to start with a TICKET_FONT that is not a usable font, saying which file and why', async () => {
    const dir = tempDir();
    const notAFont = join(dir, 'not-a-font.ttf');
    writeFileSync(notAFont, 'hello');
    await expect(start({ dataDir: dir, port: 0, host: '127.0.0.1', ticketFont: notAFont })).rejects.toThrow(/not-a-font\.ttf: not a font file/);
    await expect(start({ dataDir: dir, port: 0, host: '127.0.0.1', ticketFont: join(dir, 'missing.ttf') })).rejects.toThrow(/missing\.ttf/);
    expect(loadConfig({ TICKET_FONT: 'fonts/x.ttf' }).ticketFont).toMatch(/\/fonts\/x\.ttf$/);
  });

  it('finds no font when none of the candidates exists: Arabic is left out of the preview, with a warning', async () => {
    expect(loadTicketFont(null, ['/nonexistent/font.ttf'])).toBeNull();
    const t = await startTestServer({ ticketFont: false });
    try {
      const d = await seedDemoTenant(t, 'no-font-bank');
      const printer = await t.api('POST', `/api/v1/tenants/${d.slug}/printers/`, {
        token: d.adminToken, body: { name: 'P', transport: 'network', host: '127.0.0.1', profile: { languages: ['fr', 'ar'] } },
      });
      const preview = await t.api('GET', `/api/v1/tenants/${d.slug}/printers/${printer.body.id}/preview/`, { token: d.adminToken });
      expect(preview.body.warnings).toEqual([expect.stringMatching(/^arabic-not-printed: .*TICKET_FONT/)]);
      expect(preview.body.svg).not.toContain('data-text');
    } finally {
      await t.close();
    }
  });
});
