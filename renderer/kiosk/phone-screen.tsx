import { useId, useState, type FormEvent } from 'react';
import type { QueueDto } from '../../branch-server/contract/queues.contract.ts';
import { useI18n } from '../shared/i18n.tsx';
import { Button } from '../shared/ui.tsx';
import { ScreenTitle } from './frame.tsx';
import type { KioskKey } from './i18n.ts';
import { cleanPhone, DIGIT_KEYS, keepFocus, Keypad, phoneDigits } from './keypad.tsx';

const MIN_DIGITS = 8;

/** Optional: a phone number for the SMS alert, on a big numeric keypad; one touch skips it. */
export function PhoneScreen(props: Readonly<{
  queue: QueueDto;
  busy: boolean;
  error: KioskKey | null;
  onIssue: (phone: string) => void;
}>) {
  const { t } = useI18n<KioskKey>();
  const id = useId();
  const [phone, setPhone] = useState('');
  const [tried, setTried] = useState(false);
  const [attempt, setAttempt] = useState<string | null>(null);
  const issue = (number: string) => {
    setAttempt(number);
    props.onIssue(number);
  };
  const valid = phoneDigits(phone) >= MIN_DIGITS;

  const add = (key: string) => {
    if (key === '+' && phone !== '') return;
    setPhone(cleanPhone(phone + key));
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (valid && !props.busy) issue(phone);
  };
  const invalidShown = tried && !valid && phone !== '';

  return (
    <form className="kiosk-phone" onSubmit={submit}>
      <div className="kiosk-phone__intro">
        <p className="kiosk-chip"><span className="kiosk-chip__label">{t('serviceChosen')}</span> <strong>{props.queue.name}</strong></p>
        <ScreenTitle>{t('phoneTitle')}</ScreenTitle>
        <p className="kiosk__lead" id={`${id}-hint`}>{t('phoneHint')}</p>
      </div>
      <div className="kiosk-phone__entry">
        <label className="kiosk-code__label" htmlFor={id}>{t('phoneLabel')}</label>
        <div className="kiosk-code__row" dir="ltr">
          <input id={id} className="kiosk-code__input kiosk-code__input--phone" value={phone} inputMode="none" autoComplete="off"
            aria-describedby={`${id}-hint${invalidShown ? ` ${id}-error` : ''}`} aria-invalid={invalidShown || undefined}
            disabled={props.busy} onChange={(event) => setPhone(cleanPhone(event.target.value))} />
          <button type="button" className="kiosk-key kiosk-key--delete" onMouseDown={keepFocus} disabled={props.busy || phone === ''}
            aria-label={t('clearAll')} title={t('clearAll')} onClick={() => setPhone('')}>
            <svg viewBox="0 0 24 24" width="32" height="32" aria-hidden="true" focusable="false">
              <path d="M6 6l12 12M18 6L6 18" stroke="currentColor" strokeWidth="2.5" strokeLinecap="round" />
            </svg>
          </button>
        </div>
        {invalidShown && <p className="kiosk-field-error" id={`${id}-error`}>{t('phoneInvalid')}</p>}
        <Keypad keys={DIGIT_KEYS} columns={3} className="kiosk-keypad--digits" disabled={props.busy} full={phone.length >= 16}
          onKey={add} onDelete={() => setPhone(phone.slice(0, -1))} deleteLabel={t('deleteDigit')} />
      </div>
      <div className="kiosk-phone__actions">
        {props.error && (
          <div className="kiosk-error" role="alert">
            <p>{t(props.error)}</p>
            {props.error === 'unavailable' && attempt !== null && (
              <Button size="lg" disabled={props.busy} onClick={() => issue(attempt)}>{t('retry')}</Button>
            )}
          </div>
        )}
        {props.busy && <p className="kiosk-status" role="status">{t('issuing')}</p>}
        <Button type="submit" size="xl" className="kiosk-wide" disabled={props.busy || phone === ''}>{t('getTicket')}</Button>
        <Button size="xl" tone="secondary" className="kiosk-wide" disabled={props.busy} onClick={() => issue('')}>{t('skipSms')}</Button>
      </div>
    </form>
  );
}

