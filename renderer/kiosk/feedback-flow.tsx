import { useCallback, useState } from 'react';
import type { ApiClient } from '../shared/api.ts';
import { useI18n, type Language } from '../shared/i18n.tsx';
import { Button } from '../shared/ui.tsx';
import { isUnavailable } from './errors.ts';
import { KioskFrame, LanguageChoice, ScreenTitle } from './frame.tsx';
import type { KioskKey } from './i18n.ts';
import type { KioskSettings } from './settings.ts';
import type { KioskData } from './use-kiosk-data.ts';
import { useIdle } from './use-idle.ts';

const MOUTHS = ['M15 35 Q24 26 33 35', 'M16 33 Q24 29 32 33', 'M16 32 L32 32', 'M16 30 Q24 35 32 30', 'M14 28 Q24 40 34 28'];

function Face({ score }: Readonly<{ score: number }>) {
  return (
    <svg viewBox="0 0 48 48" width="64" height="64" aria-hidden="true" focusable="false">
      <circle cx="24" cy="24" r="20" fill="none" stroke="currentColor" strokeWidth="2.5" />
      <circle cx="17" cy="19" r="2.5" fill="currentColor" />
      <circle cx="31" cy="19" r="2.5" fill="currentColor" />
      <path d={MOUTHS[score - 1]} fill="none" stroke="currentColor" strokeWidth="2.5" strokeLinecap="round" />
    </svg>
  );
}

function Scale(props: Readonly<{
  legend: string; low: string; high: string; values: readonly number[]; value: number | null;
  onPick: (n: number) => void; faces?: boolean; name: string;
}>) {
  return (
    <fieldset className={`kiosk-scale kiosk-scale--${props.name}`}>
      <legend>{props.legend}</legend>
      <div className="kiosk-scale__buttons" dir="ltr">
        {props.values.map((n) => (
          <button key={n} type="button" aria-pressed={props.value === n} className={`kiosk-scale__btn${props.value === n ? ' is-on' : ''}`}
            onClick={() => props.onPick(n)}>
            {props.faces && <Face score={n} />}
            <span>{n}</span>
          </button>
        ))}
      </div>
      <p className="kiosk-scale__ends" dir="ltr"><span>{props.low}</span><span>{props.high}</span></p>
    </fieldset>
  );
}

/** The exit tablet (`/kiosk?mode=feedback`): CSAT 1–5 and NPS 0–10, thank you, and ready for the next person. */
export function FeedbackFlow(props: Readonly<{ api: ApiClient; data: KioskData; settings: KioskSettings; languages: readonly Language[]; defaultLang: Language }>) {
  const { t, lang, setLang } = useI18n<KioskKey>();
  const [csat, setCsat] = useState<number | null>(null);
  const [nps, setNps] = useState<number | null>(null);
  const [status, setStatus] = useState<'idle' | 'sending' | 'sent' | 'error' | 'unavailable'>('idle');
  const { api, settings, defaultLang } = props;

  const reset = useCallback(() => {
    setCsat(null);
    setNps(null);
    setStatus('idle');
    setLang(defaultLang);
  }, [setLang, defaultLang]);

  const touched = csat !== null || nps !== null || lang !== defaultLang || status !== 'idle';
  useIdle(status === 'sent' ? settings.thanksMs : touched ? settings.idleMs : null, reset);

  const send = async () => {
    setStatus('sending');
    try {
      await api.call('createFeedback', { body: { ...(csat === null ? {} : { csat }), ...(nps === null ? {} : { nps }) } });
      setStatus('sent');
    } catch (failure) {
      setStatus(isUnavailable(failure) ? 'unavailable' : 'error');
    }
  };

  if (status === 'sent') {
    return (
      <KioskFrame screen="thanks" site={props.data.site}>
        <section className="kiosk-thanks">
          <svg className="kiosk-thanks__icon" viewBox="0 0 48 48" width="160" height="160" aria-hidden="true" focusable="false">
            <circle cx="24" cy="24" r="22" fill="currentColor" />
            <path d="M14 25l7 7 13-15" fill="none" stroke="#fff" strokeWidth="4" strokeLinecap="round" strokeLinejoin="round" />
          </svg>
          <ScreenTitle>{t('thanks')}</ScreenTitle>
          <p className="kiosk__lead">{t('thanksHint')}</p>
        </section>
      </KioskFrame>
    );
  }

  return (
    <KioskFrame screen="feedback" site={props.data.site} footer={<LanguageChoice languages={props.languages} compact />}>
      <div className="kiosk-feedback">
        <div>
          <ScreenTitle>{t('feedbackTitle')}</ScreenTitle>
          <p className="kiosk__lead">{t('feedbackHint')}</p>
        </div>
        <Scale name="csat" legend={t('csatQuestion')} low={t('csatLow')} high={t('csatHigh')} values={[1, 2, 3, 4, 5]} value={csat} onPick={setCsat} faces />
        <Scale name="nps" legend={t('npsQuestion')} low={t('npsLow')} high={t('npsHigh')} values={Array.from({ length: 11 }, (_, n) => n)} value={nps} onPick={setNps} />
        {(status === 'error' || status === 'unavailable') && (
          <div className="kiosk-error" role="alert"><p>{t(status === 'error' ? 'feedbackError' : 'unavailable')}</p></div>
        )}
        <Button size="xl" className="kiosk-wide" disabled={(csat === null && nps === null) || status === 'sending'} onClick={() => void send()}>
          {status === 'sending' ? t('sending') : status === 'idle' ? t('send') : t('retry')}
        </Button>
      </div>
    </KioskFrame>
  );
}
