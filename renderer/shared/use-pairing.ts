import { useState, type FormEvent } from 'react';
import { ApiError } from './api.ts';
import { forgetDevice, pairDevice, type DeviceIdentity } from './device.ts';

export const PAIRING_CODE_LENGTH = 8;
/** `ABCD-EFGH`, as the manager console shows it. */
export const formatPairingCode = (code: string) => (code.length > 4 ? `${code.slice(0, 4)}-${code.slice(4)}` : code);

/** Why pairing failed: a bad or used code, a code made for another kind of device, or no server. */
export type PairingFailure = 'invalid' | 'wrong-type' | 'unavailable';

/**
 * The pairing exchange shared by kiosk and display screens: trade the code for a device key, and
 * refuse (and forget) a key made for another kind of device.
 */
export function usePairing(expected: 'kiosk' | 'display', onPaired: (identity: DeviceIdentity) => void) {
  const [code, setCodeState] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<PairingFailure | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (code.length !== PAIRING_CODE_LENGTH || busy) return;
    setBusy(true);
    setFailure(null);
    try {
      const identity = await pairDevice(code);
      const bound = expected === 'kiosk' ? identity.kioskId : identity.displayId;
      if (identity.type !== expected || !bound) {
        forgetDevice();
        setFailure('wrong-type');
        setBusy(false);
        return;
      }
      onPaired(identity);
    } catch (error) {
      setFailure(error instanceof ApiError && error.status === 400 ? 'invalid' : 'unavailable');
      setBusy(false);
    }
  };
  const setCode = (next: string) => {
    setCodeState(next);
    setFailure(null);
  };
  return { code, setCode, busy, failure, submit };
}
