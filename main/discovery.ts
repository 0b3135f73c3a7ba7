import { Bonjour, type Service } from 'bonjour-service';
import { isIPv4 } from 'node:net';
import { normalizeServerUrl } from './role-config.ts';

/** DNS-SD service type of a branch server on the LAN: `_smartqueue._tcp`. */
export const SERVICE_TYPE = 'smartqueue';

export type FoundServer = Readonly<{ name: string; url: string }>;

export type Advertisement = Readonly<{ stop(): Promise<void> }>;

/** Announces this branch server by mDNS so counter PCs, kiosks and displays find it without typing. */
export function advertiseBranchServer(options: Readonly<{ name: string; port: number }>): Advertisement {
  const bonjour = new Bonjour();
  bonjour.publish({ name: options.name, type: SERVICE_TYPE, port: options.port, txt: { path: '/api/v1/' } });
  return {
    stop: () => new Promise<void>((resolve) => {
      bonjour.unpublishAll(() => bonjour.destroy(() => resolve()));
    }),
  };
}

/** The URL to reach a found service: its first IPv4 address (the others are link-local or v6). */
export function urlOf(service: Pick<Service, 'addresses' | 'host' | 'port'>): string | null {
  const address = service.addresses?.find((a) => isIPv4(a)) ?? service.host;
  return address ? normalizeServerUrl(`${address}:${service.port}`) : null;
}

/** Browses the LAN for `waitMs` and returns the branch servers that answered, by name. */
export function discoverBranchServers(waitMs = 2_000): Promise<FoundServer[]> {
  const bonjour = new Bonjour();
  const found = new Map<string, FoundServer>();
  return new Promise((resolve) => {
    const browser = bonjour.find({ type: SERVICE_TYPE }, (service) => {
      const url = urlOf(service);
      if (url) found.set(service.name, { name: service.name, url });
    });
    setTimeout(() => {
      browser.stop();
      bonjour.destroy(() => resolve([...found.values()].sort((a, b) => a.name.localeCompare(b.name))));
    }, waitMs);
  });
}
