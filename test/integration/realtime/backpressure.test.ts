import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../../helpers/server.ts';
import type { DomainEvent } from '../../../branch-server/use-cases/events.ts';
import { WsProbe, wsUrl } from './ws-probe.ts';

const MAX_BUFFERED = 256 * 1024;

describe('realtime backpressure', () => {
  let t: TestServer;
  let d: DemoTenant;

  beforeAll(async () => {
    t = await startTestServer({ realtime: { maxBufferedBytes: MAX_BUFFERED } });
    d = await seedDemoTenant(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('keeps delivering to everyone else while a stalled client is dropped once over its buffer limit', async () => {
    const queueId = d.demo.queues[0]!.id;
    const url = wsUrl(t.url, `/ws/tenants/${d.slug}/queues/${queueId}/`, { token: d.adminToken });
    const { probe: healthy } = await WsProbe.connect(url);
    const { probe: stalled } = await WsProbe.connect(url);
    // The stalled client stops reading: its kernel buffers fill, then the server's send buffer grows.
    (stalled.ws as unknown as { _socket: Socket })._socket.pause();

    // ~30 KB per event, 4 events per tick: 18 MB in all, far more than loopback socket buffers hold.
    const waiting = Array.from({ length: 300 }, (_, i) => ({
      ticket_id: `t-${i}`, public_id: `p-${i}`, number: `A${i}`, position: i + 1, eta_seconds: i * 60, eta_p90_seconds: i * 90,
    }));
    const event: DomainEvent = { kind: 'queue-etas', tenantId: d.tenantId, tenantSlug: d.slug, queueId, waiting };
    const count = 600;
    let slowestPublishMs = 0;
    for (let i = 0; i < count; i += 4) {
      const started = performance.now();
      t.server.events.publish([event, event, event, event]);
      slowestPublishMs = Math.max(slowestPublishMs, performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    const publishedAt = Date.now();

    const last = await healthy.next((m) => m.seq === count, 10_000);
    expect(Date.now() - publishedAt).toBeLessThan(2_000);
    expect(last.waiting).toHaveLength(300);
    expect(healthy.messages.slice(1).map((m) => m.seq)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
    // Publishing never waits for a client: fan-out only hands bytes to socket buffers.
    expect(slowestPublishMs).toBeLessThan(250);
    expect(stalled.ws.readyState).toBe(stalled.ws.OPEN);

    (stalled.ws as unknown as { _socket: Socket })._socket.resume();
    const closed = await stalled.closed;
    expect([1013, 1006]).toContain(closed.code);
    expect(stalled.messages.length).toBeLessThan(count);
    await healthy.close();
  });
});
