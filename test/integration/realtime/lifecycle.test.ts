import { describe, expect, it } from 'vitest';
import { realtimeCloseCodes } from '../../../branch-server/contract/realtime.contract.ts';
import { seedDemoTenant, startTestServer } from '../../helpers/server.ts';
import { insertDisplay, ticketApi } from './fixtures.ts';
import { WsProbe, wsUrl } from './ws-probe.ts';

describe('realtime hub lifecycle', () => {
  it('closes every client with "going away" when the server stops, without waiting on silent ones', async () => {
    const t = await startTestServer();
    const d = await seedDemoTenant(t);
    const ticket = await ticketApi(t, d).create(d.demo.queues[0]!.id);
    const clients = await Promise.all([
      WsProbe.connect(wsUrl(t.url, `/ws/tenants/${d.slug}/queues/${d.demo.queues[0]!.id}/`, { token: d.adminToken })),
      WsProbe.connect(wsUrl(t.url, `/ws/tenants/${d.slug}/displays/${insertDisplay(t, d, [])}/`, { token: d.adminToken })),
      WsProbe.connect(wsUrl(t.url, `/ws/public/tickets/${ticket.public_id}/`)),
    ]);
    // This one never answers the close handshake: the hub must destroy it rather than wait.
    const silent = await WsProbe.connect(wsUrl(t.url, `/ws/public/tickets/${ticket.public_id}/`));
    (silent.probe.ws as unknown as { _socket: { pause(): void } })._socket.pause();

    const started = Date.now();
    await t.close();
    expect(Date.now() - started).toBeLessThan(3_000);
    for (const { probe } of clients) expect(await probe.closed).toMatchObject({ code: realtimeCloseCodes.goingAway });
    (silent.probe.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    expect([realtimeCloseCodes.goingAway, 1006]).toContain((await silent.probe.closed).code);
  });
});
