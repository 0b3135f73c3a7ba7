import { useRef } from 'react';
import type { DeviceIdentity } from '../shared/device.ts';
import { LANGUAGES, useI18n } from '../shared/i18n.tsx';
import { Banner, Button } from '../shared/ui.tsx';
import { formatPairingCode, PAIRING_CODE_LENGTH, usePairing } from '../shared/use-pairing.ts';
import { CodeField } from './code-field.tsx';
import { KioskFrame, LanguageChoice, ScreenTitle } from './frame.tsx';
import type { KioskKey } from './i18n.ts';

/** An unpaired (or revoked) kiosk: staff type the code the manager console shows for this device. */
export function PairingScreen({ revoked, onPaired }: Readonly<{ revoked: boolean; onPaired: (identity: DeviceIdentity) => void }>) {
  const { t } = useI18n<KioskKey>();
  const { code, setCode, busy, failure, submit } = usePairing('kiosk', onPaired);
  const error: KioskKey | null = failure === null ? null : failure === 'invalid' ? 'pairInvalid' : failure === 'wrong-type' ? 'pairNotKiosk' : 'unavailable';
  const input = useRef<HTMLInputElement>(null);

  return (
    <KioskFrame screen="pairing" footer={<LanguageChoice languages={LANGUAGES} compact />}>
      <form className="kiosk-panel kiosk-panel--narrow" onSubmit={submit}>
        <ScreenTitle>{t('pairTitle')}</ScreenTitle>
        {revoked && !error && <Banner tone="warn">{t('pairRevoked')}</Banner>}
        <CodeField label={t('pairCode')} hint={t('pairHint')} value={code} inputRef={input} length={PAIRING_CODE_LENGTH}
          format={formatPairingCode} deleteLabel={t('deleteChar')} disabled={busy}
          onChange={setCode} />
        {error && <Banner>{t(error)}</Banner>}
        <Button type="submit" size="xl" className="kiosk-wide" disabled={code.length !== PAIRING_CODE_LENGTH || busy}>
          {busy ? t('pairing') : t('pair')}
        </Button>
      </form>
    </KioskFrame>
  );
}
