import type { DeviceIdentity } from '../shared/device.ts';
import { useI18n } from '../shared/i18n.tsx';
import { LanguageSwitch } from '../shared/language-switch.tsx';
import { Banner, Button, Field } from '../shared/ui.tsx';
import { formatPairingCode, PAIRING_CODE_LENGTH, usePairing } from '../shared/use-pairing.ts';
import type { DisplayKey } from './i18n.ts';

const clean = (text: string) => text.toUpperCase().replace(/[^A-Z0-9]/g, '').slice(0, PAIRING_CODE_LENGTH);

/** An unpaired (or revoked) screen: someone types, with the TV's keyboard or remote, the code the manager console shows. */
export function PairingScreen({ revoked, onPaired }: Readonly<{ revoked: boolean; onPaired: (identity: DeviceIdentity) => void }>) {
  const { t } = useI18n<DisplayKey>();
  const { code, setCode, busy, failure, submit } = usePairing('display', onPaired);
  const error: DisplayKey | null = failure === null ? null : failure === 'invalid' ? 'pairInvalid' : failure === 'wrong-type' ? 'pairNotDisplay' : 'unavailable';

  return (
    <main className="dsp-pair">
      <form className="dsp-pair__card" onSubmit={submit}>
        <h1 className="dsp-pair__title">{t('pairTitle')}</h1>
        <p className="dsp-pair__intro">{t('pairIntro')}</p>
        {revoked && !error && <Banner tone="warn">{t('pairRevoked')}</Banner>}
        <Field label={t('pairCode')} hint={t('pairHint')} value={formatPairingCode(code)} autoFocus autoComplete="off" spellCheck={false}
          autoCapitalize="characters" dir="ltr" disabled={busy} error={error ? t(error) : null}
          onChange={(e) => setCode(clean(e.target.value))} />
        <Button type="submit" size="xl" disabled={code.length !== PAIRING_CODE_LENGTH || busy}>{busy ? t('pairing') : t('pair')}</Button>
        <LanguageSwitch label="Langue · Language · اللغة" />
      </form>
    </main>
  );
}
