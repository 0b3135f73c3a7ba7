import type { Page } from 'playwright-core';
import { pairNewDevice } from '../helpers/pairing.ts';
import type { DemoTenant, TestServer } from '../helpers/server.ts';

export type Heard = { ticket: string; recall: string; at: number; status?: number; type?: string };

/** Records every announcement the page asks for (intercepted requests), with the answer's status and type. */
export function listenForAnnouncements(page: Page): Heard[] {
  const heard: Heard[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (!url.pathname.endsWith('/announcement/')) return;
    heard.push({ ticket: url.searchParams.get('ticket') ?? '', recall: url.searchParams.get('recall') ?? '', at: Date.now() });
  });
  page.on('response', (response) => {
    const url = new URL(response.url());
    if (!url.pathname.endsWith('/announcement/')) return;
    const entry = heard.find((h) => h.ticket === url.searchParams.get('ticket') && h.recall === url.searchParams.get('recall') && h.status === undefined);
    if (entry) {
      entry.status = response.status();
      entry.type = response.headers()['content-type'];
    }
  });
  return heard;
}

/** The demo tenant's ticket and display routes, as staff drive them. */
export function branch(t: TestServer, d: DemoTenant) {
  const base = `/api/v1/tenants/${d.slug}`;
  const queue = (i: number) => d.demo.queues[i]!.id;
  return {
    base,
    queue,
    issue: async (i: number) => (await t.api('POST', `${base}/tickets/`, { token: d.adminToken, body: { queue: queue(i) } })).body,
    async callNext(agent: number, i: number) {
      const res = await t.api('POST', `${base}/agents/call-next/`, { token: d.agentTokens[agent], body: { queue_id: queue(i) } });
      if (res.status !== 200) throw new Error(`call-next: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    },
    act: (agent: number, id: string, action: string) => t.api('POST', `${base}/tickets/${id}/${action}/`, { token: d.agentTokens[agent] }),
    acks: async (ticketId: string) => (await t.api('GET', `${base}/tickets/${ticketId}/display-acks/`, { token: d.agentTokens[0] })).body,
    async createDisplay(body: Record<string, unknown>): Promise<string> {
      const res = await t.api('POST', `${base}/displays/`, { token: d.adminToken, body: { type: 'main', languages: ['fr'], ...body } });
      if (res.status !== 201) throw new Error(`display: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.id;
    },
    /** A display with a paired device, and the provisioning link a manager would hand it (`#key=…`). */
    async provisionedDisplay(body: Record<string, unknown>) {
      const id = await this.createDisplay(body);
      const device = await pairNewDevice(t, d, { type: 'display', display_id: id });
      return { id, device, link: `${t.url}/display/${id}#key=${encodeURIComponent(device.key)}&tenant=${d.slug}&display=${id}` };
    },
  };
}

/**
 * Opens a display page and waits until its channel is live. On a timeout the error carries what the
 * page did (requests, ws frames, console, the DOM), so a failure explains itself.
 */
export async function openDisplay(page: Page, link: string, timeout = 15_000): Promise<void> {
  const log: string[] = [];
  const at = () => `${(performance.now() / 1000).toFixed(2)}s`;
  page.on('console', (m) => log.push(`${at()} console ${m.type()}: ${m.text()}`));
  page.on('requestfinished', (r) => log.push(`${at()} request ${r.method()} ${r.url().replace(/device_key=[^&]+/, 'device_key=…').slice(0, 120)}`));
  page.on('websocket', (ws) => {
    log.push(`${at()} ws open ${ws.url().replace(/device_key=[^&]+/, 'device_key=…')}`);
    ws.on('framereceived', (f) => log.push(`${at()} ws frame ${String(f.payload).slice(0, 80)}`));
    ws.on('socketerror', (e) => log.push(`${at()} ws error ${e}`));
    ws.on('close', () => log.push(`${at()} ws closed`));
  });
  await page.goto(link);
  try {
    await page.locator('main[data-live="live"]').waitFor({ timeout });
  } catch (error) {
    const body = await page.locator('body').innerHTML().catch(() => '?');
    throw new Error(`display not live: ${String(error)}\n${log.join('\n')}\nDOM: ${body.slice(0, 1500)}`);
  }
}
