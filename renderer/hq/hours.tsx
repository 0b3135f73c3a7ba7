import { useState, type FormEvent } from 'react';
import { Banner, Button, Field, Select } from '../shared/ui.tsx';
import { LoadState, useHq, useLoad, useT } from './context.tsx';

/**
 * HQ's booking settings (owned by HQ once a branch is enrolled; branches refuse to change them):
 * a site's opening hours and closed dates, a service's booking rule. Saved at HQ, they reach the
 * branches with the site or service row in the change feed.
 */
export function BookingSettings() {
  const { api } = useHq();
  const sites = useLoad(() => api.call('listSites', { query: { page_size: 100 } }), [api]);
  const services = useLoad(() => api.call('listServices', { query: { page_size: 100 } }), [api]);
  return (
    <>
      <LoadState state={sites}>{sites.data && <SiteHours sites={sites.data.results} />}</LoadState>
      <LoadState state={services}>{services.data && <ServiceRule services={services.data.results} />}</LoadState>
    </>
  );
}

type Named = readonly { id: string; name: string }[];

function useSave() {
  const { t } = useT();
  const [message, setMessage] = useState<{ tone: 'ok' | 'danger'; text: string } | null>(null);
  const save = (write: (form: FormData) => Promise<unknown>) => async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    try {
      await write(new FormData(event.currentTarget));
      setMessage({ tone: 'ok', text: t('saved') });
    } catch (e) {
      setMessage({ tone: 'danger', text: (e as Error).message });
    }
  };
  return { save, banner: message && <Banner tone={message.tone}>{message.text}</Banner> };
}

const text = (form: FormData, name: string) => String(form.get(name) ?? '').trim();

function SiteHours({ sites }: Readonly<{ sites: Named }>) {
  const { api, can } = useHq();
  const { t, lang } = useT();
  const [siteId, setSiteId] = useState(sites[0]?.id ?? '');
  const hours = useLoad(() => (siteId ? api.call('getSiteOpeningHours', { params: { id: siteId } }) : Promise.resolve(null)), [api, siteId]);
  const { save, banner } = useSave();
  // 1 January 2024 was a Monday: the days' names in the page's language, Monday first as the API orders them.
  const dayName = (i: number) => new Intl.DateTimeFormat(lang, { weekday: 'long', timeZone: 'UTC' }).format(Date.UTC(2024, 0, 1 + i));
  return (
    <form className="mg-form hq-form" aria-label={t('openingHours')} key={`${siteId}-${hours.at ?? 0}`} onSubmit={save((f) => api.call('setSiteOpeningHours', {
      params: { id: siteId },
      body: {
        weekly: Array.from({ length: 7 }, (_, i) => (f.get(`closed-${i}`) ? null : { open: text(f, `open-${i}`), close: text(f, `close-${i}`) })),
        closed_dates: text(f, 'closed_dates').split(/[\s,;]+/).filter(Boolean),
      },
    }))}>
      <h3>{t('openingHours')}</h3>
      {banner}
      <Select label={t('site')} value={siteId} onChange={(e) => setSiteId(e.target.value)}>
        {sites.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
      </Select>
      {hours.data && (
        <>
          {hours.data.weekly.map((day, i) => (
            <fieldset key={i} className="hq-hours-day">
              <legend>{dayName(i)}</legend>
              <Field label={t('opens')} name={`open-${i}`} type="time" defaultValue={day?.open ?? '08:00'} />
              <Field label={t('closes')} name={`close-${i}`} type="time" defaultValue={day?.close ?? '17:00'} />
              <label><input type="checkbox" name={`closed-${i}`} defaultChecked={day === null} /> {t('closedDay')}</label>
            </fieldset>
          ))}
          <Field label={t('closedDates')} name="closed_dates" placeholder="2030-12-25, 2031-01-01" defaultValue={hours.data.closed_dates.join(', ')} />
          {can('manage') && <Button type="submit">{t('save')}</Button>}
        </>
      )}
    </form>
  );
}

function ServiceRule({ services }: Readonly<{ services: Named }>) {
  const { api, can } = useHq();
  const { t } = useT();
  const [serviceId, setServiceId] = useState(services[0]?.id ?? '');
  const rule = useLoad(() => (serviceId ? api.call('getServiceBookingRule', { params: { id: serviceId } }) : Promise.resolve(null)), [api, serviceId]);
  const { save, banner } = useSave();
  const num = (f: FormData, name: string) => Number(text(f, name));
  const r = rule.data;
  return (
    <form className="mg-form hq-form" aria-label={t('bookingRule')} key={`${serviceId}-${rule.at ?? 0}`} onSubmit={save((f) => api.call('setServiceBookingRule', {
      params: { id: serviceId },
      body: {
        slot_minutes: num(f, 'slot_minutes'), buffer_minutes: num(f, 'buffer_minutes'),
        capacity: text(f, 'capacity') ? num(f, 'capacity') : null, overbooking: num(f, 'overbooking'), grace_minutes: num(f, 'grace_minutes'),
        remote_enabled: f.get('remote_enabled') !== null, remote_daily_cap: num(f, 'remote_daily_cap'), remote_hold_minutes: num(f, 'remote_hold_minutes'),
        end_of_day: text(f, 'end_of_day') === 'carry_over' ? 'carry_over' : 'expire',
      },
    }))}>
      <h3>{t('bookingRule')}</h3>
      {banner}
      <Select label={t('service')} value={serviceId} onChange={(e) => setServiceId(e.target.value)}>
        {services.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
      </Select>
      {r && (
        <>
          <Field label={t('slotMinutes')} name="slot_minutes" type="number" min={5} max={240} defaultValue={r.slot_minutes} required />
          <Field label={t('bufferMinutes')} name="buffer_minutes" type="number" min={0} max={120} defaultValue={r.buffer_minutes} required />
          <Field label={t('capacity')} name="capacity" type="number" min={1} max={100} defaultValue={r.capacity ?? ''} hint={t('capacityHint')} />
          <Field label={t('overbooking')} name="overbooking" type="number" min={0} max={100} defaultValue={r.overbooking} required />
          <Field label={t('graceMinutes')} name="grace_minutes" type="number" min={0} max={240} defaultValue={r.grace_minutes} required />
          <label><input type="checkbox" name="remote_enabled" defaultChecked={r.remote_enabled} /> {t('remoteEnabled')}</label>
          <Field label={t('remoteDailyCap')} name="remote_daily_cap" type="number" min={0} max={100000} defaultValue={r.remote_daily_cap} required />
          <Field label={t('remoteHoldMinutes')} name="remote_hold_minutes" type="number" min={0} max={240} defaultValue={r.remote_hold_minutes} required />
          <Select label={t('endOfDay')} name="end_of_day" defaultValue={r.end_of_day}>
            <option value="expire">{t('endOfDayExpire')}</option>
            <option value="carry_over">{t('endOfDayCarry')}</option>
          </Select>
          {can('manage') && <Button type="submit">{t('save')}</Button>}
        </>
      )}
    </form>
  );
}
