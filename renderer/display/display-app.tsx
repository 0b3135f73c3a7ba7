import { useEffect, useState } from 'react';
import { forgetDevice, loadDevice, type DeviceIdentity } from '../shared/device.ts';
import { DisplayScreen } from './display-screen.tsx';
import { PairingScreen } from './pairing-screen.tsx';

/** The display id named by the address: /display/{display_id}. */
function pathDisplayId(): string | null {
  const id = window.location.pathname.split('/').filter(Boolean)[1];
  return id ? decodeURIComponent(id) : null;
}

/**
 * `/display/{display_id}`: with a device key (kept from a `#key=…` provisioning link or a pairing),
 * the screen; without one, the pairing screen. A device shows the display it is bound to, so the
 * address follows the key.
 */
export function DisplayApp() {
  const [identity, setIdentity] = useState<DeviceIdentity | null>(() => {
    const loaded = loadDevice();
    if (!loaded) return null;
    if (loaded.displayId) return loaded;
    // A provisioning link without `display=`: the address names it.
    const fromPath = pathDisplayId();
    return fromPath ? { ...loaded, displayId: fromPath } : null;
  });
  const [revoked, setRevoked] = useState(false);
  const displayId = identity?.displayId ?? null;
  useEffect(() => {
    if (displayId && pathDisplayId() !== displayId) history.replaceState(null, '', `/display/${encodeURIComponent(displayId)}`);
  }, [displayId]);

  if (!identity || !displayId) {
    return <PairingScreen revoked={revoked} onPaired={(paired) => {
      setRevoked(false);
      setIdentity(paired);
    }} />;
  }
  return (
    <DisplayScreen key={`${identity.key}:${displayId}`} identity={identity} displayId={displayId} onRevoked={() => {
      forgetDevice();
      setRevoked(true);
      setIdentity(null);
    }} />
  );
}
