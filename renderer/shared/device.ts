import { createApi, type ApiClient } from './api.ts';

const STORAGE_KEY = 'smartqueue.device';

export type DeviceIdentity = Readonly<{ key: string; tenant: string; deviceId: string; type: string; kioskId: string | null; displayId: string | null }>;

/**
 * A kiosk or display page holds a device key. On first load it may arrive in the URL fragment
 * (`#key=…&tenant=…`, from a provisioning link or QR): it is kept and removed from the address bar.
 * Without one, the page shows the pairing screen, which exchanges a code for a key.
 */
export function loadDevice(): DeviceIdentity | null {
  const fragment = new URLSearchParams(window.location.hash.slice(1));
  const key = fragment.get('key');
  if (key) {
    const identity: DeviceIdentity = {
      key, tenant: fragment.get('tenant') ?? '', deviceId: fragment.get('device') ?? '', type: fragment.get('type') ?? '',
      kioskId: fragment.get('kiosk'), displayId: fragment.get('display'),
    };
    saveDevice(identity);
    history.replaceState(null, '', window.location.pathname + window.location.search);
    return identity;
  }
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    return stored ? (JSON.parse(stored) as DeviceIdentity) : null;
  } catch {
    return null;
  }
}

export function saveDevice(identity: DeviceIdentity): void {
  localStorage.setItem(STORAGE_KEY, JSON.stringify(identity));
}

export function forgetDevice(): void {
  localStorage.removeItem(STORAGE_KEY);
}

/** Exchanges a pairing code for a device key (single use). */
export async function pairDevice(code: string): Promise<DeviceIdentity> {
  const api = createApi({ tenant: null, credentials: () => ({ kind: 'none' }) });
  const paired = await api.call('pairDevice', { body: { pairing_code: code } });
  const identity: DeviceIdentity = {
    key: paired.device_key, tenant: paired.tenant_slug, deviceId: paired.device_id, type: paired.type,
    kioskId: paired.kiosk_id ?? null, displayId: paired.display_id ?? null,
  };
  saveDevice(identity);
  return identity;
}

export function deviceApi(identity: DeviceIdentity, onRevoked: () => void): ApiClient {
  return createApi({
    tenant: identity.tenant,
    credentials: () => ({ kind: 'device', key: identity.key }),
    onUnauthorized: () => {
      forgetDevice();
      onRevoked();
    },
  });
}
