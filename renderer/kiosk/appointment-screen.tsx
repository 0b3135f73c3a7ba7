import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useI18n } from '../shared/i18n.tsx';
import { Button } from '../shared/ui.tsx';
import { CodeField } from './code-field.tsx';
import { ScreenTitle } from './frame.tsx';
import type { KioskKey } from './i18n.ts';
import { CHECK_IN_CODE_LENGTH } from './welcome-screen.tsx';

/** Appointment check-in: the code typed on the keypad, or scanned (the scanner types into the focused field, then Enter). */
export function AppointmentScreen(props: Readonly<{
  scanned: string | null;
  busy: boolean;
  error: KioskKey | null;
  onCheckIn: (code: string) => void;
  onEdit: () => void;
}>) {
  const { t } = useI18n<KioskKey>();
  const [code, setCode] = useState(props.scanned ?? '');
  const input = useRef<HTMLInputElement>(null);
  const complete = code.length === CHECK_IN_CODE_LENGTH;

  useEffect(() => {
    input.current?.focus({ preventScroll: true });
  }, []);
  // A code scanned on the welcome screen is checked in once, as soon as this screen shows it.
  const scannedOnce = useRef(false);
  const { scanned, onCheckIn } = props;
  useEffect(() => {
    if (!scanned || scannedOnce.current) return;
    scannedOnce.current = true;
    onCheckIn(scanned);
  }, [scanned, onCheckIn]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (complete && !props.busy) props.onCheckIn(code);
  };

  return (
    <form className="kiosk-panel kiosk-panel--narrow" onSubmit={submit}>
      <ScreenTitle>{t('appointmentTitle')}</ScreenTitle>
      <CodeField label={t('appointmentCode')} hint={t('appointmentHint')} value={code} inputRef={input} length={CHECK_IN_CODE_LENGTH}
        keep="last" deleteLabel={t('deleteChar')} disabled={props.busy}
        onChange={(next) => { setCode(next); props.onEdit(); }} />
      {props.error && (
        <div className="kiosk-error" role="alert">
          <p>{t(props.error)}</p>
          {props.error === 'unavailable' && complete && <Button size="lg" disabled={props.busy} onClick={() => props.onCheckIn(code)}>{t('retry')}</Button>}
        </div>
      )}
      {props.busy && <p className="kiosk-status" role="status">{t('checkingIn')}</p>}
      <Button type="submit" size="xl" className="kiosk-wide" disabled={!complete || props.busy}>{t('checkIn')}</Button>
    </form>
  );
}
