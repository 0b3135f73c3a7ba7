import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { PublicAppointmentDto, PublicJoinDto, PublicSiteDto } from '../../branch-server/contract/public-booking.contract.ts';
import { ApiError, createApi } from '../shared/api.ts';
import { useI18n } from '../shared/i18n.tsx';
import { LanguageSwitch } from '../shared/language-switch.tsx';
import { QrCode } from '../shared/qr-code.tsx';
import { Badge, Banner, Button, Field, Spinner } from '../shared/ui.tsx';
import type { BookKey } from './i18n.ts';
import './book.css';

const api = createApi({ tenant: null, credentials: () => ({ kind: 'none' }) });

type Service = PublicSiteDto['services'][number];
type Slot = Readonly<{ starts_at: string; ends_at: string; available: number }>;
type View =
  | Readonly<{ kind: 'list' }>
  | Readonly<{ kind: 'join'; service: Service }>
  | Readonly<{ kind: 'joined'; result: PublicJoinDto }>
  | Readonly<{ kind: 'book'; service: Service }>
  | Readonly<{ kind: 'booked'; appointment: PublicAppointmentDto; phone: string; cancelled: boolean }>;

/** Today in the site's time zone, YYYY-MM-DD. */
function siteToday(timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

function reasonOf(error: unknown): string {
  return error instanceof ApiError ? error.message : String(error);
}

/**
 * A site's public page on the customer's phone (no login): each service with the people waiting and
 * the wait of joining now; join the queue remotely (a ticket, checked in at the kiosk on arrival) or
 * book an appointment. Both confirmations carry the check-in code and its QR code.
 */
export function BookPage({ siteId, preselected }: Readonly<{ siteId: string; preselected: string | null }>) {
  const { t } = useI18n<BookKey>();
  const [site, setSite] = useState<PublicSiteDto | null>(null);
  const [missing, setMissing] = useState(false);
  const [view, setView] = useState<View>({ kind: 'list' });

  const refresh = useCallback(() => api.call('publicSite', { params: { site_id: siteId } })
    .then((found) => {
      setSite(found);
      return found;
    })
    .catch((error: unknown) => {
      if (error instanceof ApiError && (error.status === 404 || error.status === 400)) setMissing(true);
      return null;
    }), [siteId]);

  useEffect(() => {
    void refresh().then((found) => {
      const chosen = found?.services.find((s) => s.id === preselected);
      if (chosen) setView({ kind: 'book', service: chosen });
    });
  }, [refresh, preselected]);

  useEffect(() => {
    document.title = site ? `${site.site_name} — ${t('title')}` : t('title');
  }, [site, t]);

  return (
    <main className="book">
      <header className="book__top">
        <div>
          <h1 className="book__brand">{site?.site_name ?? t('title')}</h1>
          {site && <p className="book__tenant">{site.tenant_name}</p>}
        </div>
        <LanguageSwitch label={t('language')} />
      </header>
      {missing && <Banner>{t('notFound')}</Banner>}
      {!missing && !site && <div className="book__loading"><Spinner label={t('loading')} /></div>}
      {site && view.kind === 'list' && (
        <ServiceList site={site} onJoin={(service) => setView({ kind: 'join', service })} onBook={(service) => setView({ kind: 'book', service })} />
      )}
      {site && view.kind === 'join' && (
        <JoinForm siteId={siteId} service={view.service} onBack={() => setView({ kind: 'list' })} onJoined={(result) => setView({ kind: 'joined', result })} />
      )}
      {view.kind === 'joined' && <Joined result={view.result} />}
      {site && view.kind === 'book' && (
        <BookForm site={site} service={view.service} onBack={() => setView({ kind: 'list' })}
          onBooked={(appointment, phone) => setView({ kind: 'booked', appointment, phone, cancelled: false })} />
      )}
      {view.kind === 'booked' && (
        <Booked siteId={siteId} view={view} onCancelled={(appointment) => setView({ ...view, appointment, cancelled: true })}
          onAgain={() => { void refresh(); setView({ kind: 'list' }); }} />
      )}
    </main>
  );
}

function ServiceList({ site, onJoin, onBook }: Readonly<{ site: PublicSiteDto; onJoin: (s: Service) => void; onBook: (s: Service) => void }>) {
  const { t, formatMinutes } = useI18n<BookKey>();
  return (
    <section aria-labelledby="services-title">
      <h2 id="services-title" className="book__h2">{t('services')}</h2>
      <ul className="book__services">
        {site.services.map((service) => (
          <li key={service.id} className="book__service" data-service={service.id}>
            <h3>{service.name}</h3>
            <p className="book__muted">
              {t('waiting', { n: service.waiting })} · {t('eta', { eta: formatMinutes(service.eta_seconds) })}
            </p>
            {service.remote_full && <Badge tone="warn">{t('fullToday')}</Badge>}
            <div className="book__actions">
              {service.remote_open && <Button size="lg" onClick={() => onJoin(service)}>{t('join')}</Button>}
              <Button size="lg" tone={service.remote_open ? 'secondary' : 'primary'} onClick={() => onBook(service)}>{t('book')}</Button>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}

function JoinForm({ siteId, service, onBack, onJoined }: Readonly<{ siteId: string; service: Service; onBack: () => void; onJoined: (r: PublicJoinDto) => void }>) {
  const { t } = useI18n<BookKey>();
  const [phone, setPhone] = useState('');
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onJoined(await api.call('publicJoin', { params: { site_id: siteId }, body: { service: service.id, phone, name } }));
    } catch (e) {
      setError(reasonOf(e));
      setBusy(false);
    }
  };
  return (
    <form className="book__card" onSubmit={submit}>
      <h2 className="book__h2">{t('join')} — {service.name}</h2>
      <Field label={t('phone')} type="tel" autoComplete="tel" required value={phone} onChange={(e) => setPhone(e.target.value)} />
      <Field label={t('nameOptional')} autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} />
      {error && <Banner>{t('failed', { reason: error })}</Banner>}
      <div className="book__actions">
        <Button type="submit" size="lg" disabled={busy || phone.trim() === ''}>{t('joinSubmit')}</Button>
        <Button type="button" tone="secondary" onClick={onBack}>{t('back')}</Button>
      </div>
    </form>
  );
}

/** What the kiosk's scanner reads: a link whose last six letters and digits are the check-in code. */
function scanText(base: string, code: string): string {
  return `${base}#${code}`;
}

function Joined({ result }: Readonly<{ result: PublicJoinDto }>) {
  const { t, formatMinutes } = useI18n<BookKey>();
  return (
    <section className="book__card book__confirm" aria-live="polite" data-testid="joined">
      <p className="book__label">{t('ticket')}</p>
      <p className="book__number" dir="ltr" data-testid="ticket-number">{result.number}</p>
      <p>{result.queue_name}</p>
      {result.position !== null && <p className="book__strong">{t('position', { n: result.position })} · {t('eta', { eta: formatMinutes(result.eta_seconds) })}</p>}
      <QrCode className="book__qr" text={scanText(result.tracking_url, result.check_in_code)} label={t('qr', { code: result.check_in_code })} size={220} />
      <p className="book__label">{t('code')}</p>
      <p className="book__code" dir="ltr" data-testid="check-in-code">{result.check_in_code}</p>
      <p className="book__muted">{t('checkInHint', { minutes: result.hold_minutes })}</p>
      <a className="book__link" href={result.tracking_url}>{t('track')}</a>
    </section>
  );
}

function BookForm({ site, service, onBack, onBooked }: Readonly<{
  site: PublicSiteDto; service: Service; onBack: () => void; onBooked: (a: PublicAppointmentDto, phone: string) => void;
}>) {
  const { t, formatTime } = useI18n<BookKey>();
  const [date, setDate] = useState(() => siteToday(site.timezone));
  const [slots, setSlots] = useState<readonly Slot[] | null>(null);
  const [chosen, setChosen] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [phone, setPhone] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let cancelled = false;
    setSlots(null);
    setChosen(null);
    api.call('publicSlots', { params: { site_id: site.site }, query: { service: service.id, date } })
      .then((found) => !cancelled && setSlots(found.filter((s) => s.available > 0)))
      .catch((e: unknown) => !cancelled && (setSlots([]), setError(reasonOf(e))));
    return () => {
      cancelled = true;
    };
  }, [site.site, service.id, date]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!chosen) return;
    setBusy(true);
    setError(null);
    try {
      onBooked(await api.call('publicBook', { params: { site_id: site.site }, body: { service: service.id, starts_at: chosen, customer_name: name, customer_phone: phone } }), phone);
    } catch (e) {
      setError(reasonOf(e));
      setBusy(false);
    }
  };
  return (
    <form className="book__card" onSubmit={submit}>
      <h2 className="book__h2">{t('book')} — {service.name}</h2>
      <Field label={t('date')} type="date" required value={date} min={siteToday(site.timezone)} onChange={(e) => setDate(e.target.value)} />
      <fieldset className="book__slots">
        <legend>{t('slots')}</legend>
        {slots === null && <Spinner label={t('loading')} />}
        {slots?.length === 0 && <p className="book__muted">{t('noSlots')}</p>}
        {slots?.map((slot) => (
          <button key={slot.starts_at} type="button" aria-pressed={chosen === slot.starts_at} className={chosen === slot.starts_at ? 'is-on' : ''}
            onClick={() => setChosen(slot.starts_at)}>
            {formatTime(slot.starts_at, site.timezone)}
          </button>
        ))}
      </fieldset>
      <Field label={t('name')} autoComplete="name" required value={name} onChange={(e) => setName(e.target.value)} />
      <Field label={t('phone')} type="tel" autoComplete="tel" required value={phone} onChange={(e) => setPhone(e.target.value)} />
      {error && <Banner>{t('failed', { reason: error })}</Banner>}
      <div className="book__actions">
        <Button type="submit" size="lg" disabled={busy || !chosen || name.trim() === '' || phone.trim() === ''}>{t('bookSubmit')}</Button>
        <Button type="button" tone="secondary" onClick={onBack}>{t('back')}</Button>
      </div>
    </form>
  );
}

function Booked({ siteId, view, onCancelled, onAgain }: Readonly<{
  siteId: string; view: Extract<View, { kind: 'booked' }>; onCancelled: (a: PublicAppointmentDto) => void; onAgain: () => void;
}>) {
  const { t, formatTime, lang } = useI18n<BookKey>();
  const [error, setError] = useState<string | null>(null);
  const { appointment } = view;
  const date = new Intl.DateTimeFormat(lang === 'ar' ? 'ar-u-nu-latn' : lang, { dateStyle: 'full' }).format(new Date(appointment.starts_at));
  const cancel = async () => {
    try {
      onCancelled(await api.call('publicManageAppointment', { params: { site_id: siteId }, body: { code: appointment.check_in_code, customer_phone: view.phone } }));
    } catch (e) {
      setError(reasonOf(e));
    }
  };
  if (view.cancelled) {
    return (
      <section className="book__card" aria-live="polite">
        <Banner tone="info">{t('cancelled')}</Banner>
        <Button size="lg" onClick={onAgain}>{t('bookAgain')}</Button>
      </section>
    );
  }
  return (
    <section className="book__card book__confirm" aria-live="polite" data-testid="booked">
      <h2 className="book__h2">{t('confirmed')}</h2>
      <p className="book__strong">{appointment.service_name} · {appointment.site_name}</p>
      <p>{t('when', { date, time: formatTime(appointment.starts_at) })}</p>
      <QrCode className="book__qr" text={scanText(appointment.rebook_url.split('?')[0] ?? '', appointment.check_in_code)} label={t('qr', { code: appointment.check_in_code })} size={220} />
      <p className="book__label">{t('code')}</p>
      <p className="book__code" dir="ltr" data-testid="check-in-code">{appointment.check_in_code}</p>
      <p className="book__muted">{t('bookedHint')}</p>
      {error && <Banner>{t('failed', { reason: error })}</Banner>}
      <Button tone="secondary" onClick={cancel}>{t('cancel')}</Button>
    </section>
  );
}
