import type { DemoTenant, TestServer } from './server.ts';

export type PairedDevice = Readonly<{ id: string; key: string }>;

/** Registers a device as an admin would and pairs it through the real routes; returns its key. */
export async function pairNewDevice(
  t: TestServer,
  d: DemoTenant,
  body: Readonly<{ type: 'kiosk' | 'display' | 'print_agent'; name?: string; kiosk_id?: string; display_id?: string }>,
): Promise<PairedDevice> {
  const created = await t.api('POST', `/api/v1/tenants/${d.slug}/devices/`, { token: d.adminToken, body: { name: `${body.type} device`, ...body } });
  if (created.status !== 201) throw new Error(`device creation failed: ${created.status} ${JSON.stringify(created.body)}`);
  const paired = await t.api('POST', '/api/v1/devices/pair/', { body: { pairing_code: created.body.pairing_code } });
  if (paired.status !== 200) throw new Error(`pairing failed: ${paired.status} ${JSON.stringify(paired.body)}`);
  return { id: created.body.id as string, key: paired.body.device_key as string };
}
