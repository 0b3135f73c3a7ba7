import { useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../shared/api.ts';
import { forgetDevice, pairDevice, type DeviceIdentity } from '../shared/device.ts';
import { LANGUAGES, useI18n } from '../shared/i18n.tsx';
import { Banner, Button } from '../shared/ui.tsx';
import { CodeField } from './code-field.tsx';
import { KioskFrame, LanguageChoice, ScreenTitle } from './frame.tsx';
import type { KioskKey } from './i18n.ts';

const PAIRING_CODE_LENGTH = 8;
const formatPairingCode = (code: string) => (code.length > 4 ? `${code.slice(0, 4)}-${code.slice(4)}` : code);

/** An unpaired (or revoked) kiosk: staff type the code the manager console shows for this device. */
export function PairingScreen({ revoked, onPaired }: Readonly<{ revoked: boolean; onPaired: (identity: DeviceIdentity) => void }>) {
  const { t } = useI18n<KioskKey>();
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<KioskKey | null>(null);
  const input = useRef<HTMLInputElement>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (code.length !== PAIRING_CODE_LENGTH || busy) return;
    setBusy(true);
    setError(null);
    try {
      const identity = await pairDevice(code);
      if (identity.type !== 'kiosk' || !identity.kioskId) {
        forgetDevice();
        setError('pairNotKiosk');
        setBusy(false);
        return;
      }
      onPaired(identity);
    } catch (failure) {
      setError(failure instanceof ApiError && failure.status === 400 ? 'pairInvalid' : 'unavailable');
      setBusy(false);
    }
  };

  return (
    <KioskFrame screen="pairing" footer={<LanguageChoice languages={LANGUAGES} compact />}>
      <form className="kiosk-panel kiosk-panel--narrow" onSubmit={submit}>
        <ScreenTitle>{t('pairTitle')}</ScreenTitle>
        {revoked && !error && <Banner tone="warn">{t('pairRevoked')}</Banner>}
        <CodeField label={t('pairCode')} hint={t('pairHint')} value={code} inputRef={input} length={PAIRING_CODE_LENGTH}
          format={formatPairingCode} deleteLabel={t('deleteChar')} disabled={busy}
          onChange={(next) => { setCode(next); setError(null); }} />
        {error && <Banner>{t(error)}</Banner>}
        <Button type="submit" size="xl" className="kiosk-wide" disabled={code.length !== PAIRING_CODE_LENGTH || busy}>
          {busy ? t('pairing') : t('pair')}
        </Button>
      </form>
    </KioskFrame>
  );
}
