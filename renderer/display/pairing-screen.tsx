import { useState, type FormEvent } from 'react';
import { ApiError } from '../shared/api.ts';
import { forgetDevice, pairDevice, type DeviceIdentity } from '../shared/device.ts';
import { useI18n } from '../shared/i18n.tsx';
import { LanguageSwitch } from '../shared/language-switch.tsx';
import { Banner, Button, Field } from '../shared/ui.tsx';
import type { DisplayKey } from './i18n.ts';

const CODE_LENGTH = 8;
const clean = (text: string) => text.toUpperCase().replace(/[^A-Z0-9]/g, '').slice(0, CODE_LENGTH);
const shown = (code: string) => (code.length > 4 ? `${code.slice(0, 4)}-${code.slice(4)}` : code);

/** An unpaired (or revoked) screen: someone types, with the TV's keyboard or remote, the code the manager console shows. */
export function PairingScreen({ revoked, onPaired }: Readonly<{ revoked: boolean; onPaired: (identity: DeviceIdentity) => void }>) {
  const { t } = useI18n<DisplayKey>();
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<DisplayKey | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (code.length !== CODE_LENGTH || busy) return;
    setBusy(true);
    setError(null);
    try {
      const identity = await pairDevice(code);
      if (identity.type !== 'display' || !identity.displayId) {
        forgetDevice();
        setError('pairNotDisplay');
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
    <main className="dsp-pair">
      <form className="dsp-pair__card" onSubmit={submit}>
        <h1 className="dsp-pair__title">{t('pairTitle')}</h1>
        <p className="dsp-pair__intro">{t('pairIntro')}</p>
        {revoked && !error && <Banner tone="warn">{t('pairRevoked')}</Banner>}
        <Field label={t('pairCode')} hint={t('pairHint')} value={shown(code)} autoFocus autoComplete="off" spellCheck={false}
          autoCapitalize="characters" dir="ltr" disabled={busy} error={error ? t(error) : null}
          onChange={(e) => { setCode(clean(e.target.value)); setError(null); }} />
        <Button type="submit" size="xl" disabled={code.length !== CODE_LENGTH || busy}>{busy ? t('pairing') : t('pair')}</Button>
        <LanguageSwitch label="Langue · Language · اللغة" />
      </form>
    </main>
  );
}
