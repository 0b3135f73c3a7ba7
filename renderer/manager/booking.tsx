import { useEffect, useState, type FormEvent } from 'react';
import type { BookingRuleDto, OpeningHoursDto } from '../../branch-server/contract/appointments.contract.ts';
import { Button, Card, Field, Select } from '../shared/ui.tsx';
import { useManager } from './context.tsx';
import { FormError, Toggle, useLoad, useSubmit, useT, useToast } from './kit.tsx';

type Day = { open: boolean; from: string; to: string };

/** Weekday names Monday..Sunday in the page's language (4 March 2030 is a Monday). */
function weekdays(lang: string): string[] {
  const format = new Intl.DateTimeFormat(lang === 'ar' ? 'ar-u-nu-latn' : lang, { weekday: 'long', timeZone: 'UTC' });
  return Array.from({ length: 7 }, (_, i) => format.format(Date.UTC(2030, 2, 4 + i)));
}

function daysOf(hours: OpeningHoursDto): Day[] {
  return hours.weekly.map((d) => (d ? { open: true, from: d.open, to: d.close } : { open: false, from: '08:00', to: '17:00' }));
}

/** A site's opening hours for appointments (and its closing time, when the day is swept) and closed dates. */
export function OpeningHoursCard({ siteId, readOnly }: Readonly<{ siteId: string; readOnly: boolean }>) {
  const { api } = useManager();
  const { t, lang } = useT();
  const notify = useToast();
  const loaded = useLoad(() => api.call('getOpeningHours', { params: { id: siteId } }), [api, siteId]);
  const [days, setDays] = useState<Day[] | null>(null);
  const [closed, setClosed] = useState('');
  const { busy, failure, run } = useSubmit();
  useEffect(() => {
    if (!loaded.data) return;
    setDays(daysOf(loaded.data));
    setClosed(loaded.data.closed_dates.join(', '));
  }, [loaded.data]);
  if (!days) return null;
  const names = weekdays(lang);
  const setDay = (i: number, patch: Partial<Day>) => setDays((all) => all && all.map((d, j) => (j === i ? { ...d, ...patch } : d)));
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const body = {
      weekly: days.map((d) => (d.open ? { open: d.from, close: d.to } : null)),
      closed_dates: closed.split(/[\s,;]+/).filter(Boolean),
    };
    const saved = await run(() => api.call('setOpeningHours', { params: { id: siteId }, body }));
    if (saved) notify(t('saved'));
  };
  return (
    <Card title={t('hoursTitle')}>
      <form onSubmit={submit} noValidate>
        <fieldset className="mg-form" disabled={readOnly}>
          <FormError failure={failure} />
          {days.map((day, i) => (
            <div className="mg-row" key={names[i]}>
              <Toggle label={names[i]!} checked={day.open} onChange={(open) => setDay(i, { open })} />
              {day.open && (
                <>
                  <Field label={t('hoursFrom')} type="time" value={day.from} onChange={(e) => setDay(i, { from: e.target.value })} />
                  <Field label={t('hoursTo')} type="time" value={day.to} onChange={(e) => setDay(i, { to: e.target.value })} />
                </>
              )}
            </div>
          ))}
          <Field label={t('hoursClosedDates')} hint={t('hoursClosedDatesHint')} value={closed} onChange={(e) => setClosed(e.target.value)} dir="ltr" />
          {!readOnly && <div className="mg-form__actions"><Button type="submit" disabled={busy}>{t('hoursSave')}</Button></div>}
        </fieldset>
      </form>
    </Card>
  );
}

type RuleDraft = Omit<BookingRuleDto, 'service' | 'capacity'> & { capacity: string };

/** How a service books (slots, places, grace), joins remotely and ends its day. */
export function BookingRuleCard({ serviceId, readOnly }: Readonly<{ serviceId: string; readOnly: boolean }>) {
  const { api } = useManager();
  const { t } = useT();
  const notify = useToast();
  const loaded = useLoad(() => api.call('getBookingRule', { params: { id: serviceId } }), [api, serviceId]);
  const [draft, setDraft] = useState<RuleDraft | null>(null);
  const { busy, failure, run, fieldError } = useSubmit();
  useEffect(() => {
    if (!loaded.data) return;
    const { service: _service, capacity, ...rest } = loaded.data;
    setDraft({ ...rest, capacity: capacity === null ? '' : String(capacity) });
  }, [loaded.data]);
  if (!draft) return null;
  const set = <K extends keyof RuleDraft>(key: K, value: RuleDraft[K]) => setDraft((d) => d && { ...d, [key]: value });
  const num = (key: 'slot_minutes' | 'buffer_minutes' | 'overbooking' | 'grace_minutes' | 'remote_daily_cap' | 'remote_hold_minutes', label: string) => (
    <Field label={label} type="number" min={0} value={String(draft[key])} onChange={(e) => set(key, Number(e.target.value))} error={fieldError(key)} />
  );
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const { capacity, ...rest } = draft;
    const saved = await run(() => api.call('setBookingRule', { params: { id: serviceId }, body: { ...rest, capacity: capacity === '' ? null : Number(capacity) } }));
    if (saved) notify(t('saved'));
  };
  return (
    <Card title={t('bookingTitle')}>
      <form onSubmit={submit} noValidate>
        <fieldset className="mg-form" disabled={readOnly}>
          <FormError failure={failure} />
          <div className="mg-row">
            {num('slot_minutes', t('bookingSlot'))}
            {num('buffer_minutes', t('bookingBuffer'))}
          </div>
          <div className="mg-row">
            <Field label={t('bookingCapacity')} hint={t('bookingCapacityHint')} type="number" min={1} value={draft.capacity}
              onChange={(e) => set('capacity', e.target.value)} error={fieldError('capacity')} />
            {num('overbooking', t('bookingOverbooking'))}
          </div>
          {num('grace_minutes', t('bookingGrace'))}
          <Toggle label={t('bookingRemote')} checked={draft.remote_enabled} onChange={(v) => set('remote_enabled', v)} />
          <div className="mg-row">
            {num('remote_daily_cap', t('bookingRemoteCap'))}
            {num('remote_hold_minutes', t('bookingRemoteHold'))}
          </div>
          <Select label={t('bookingEndOfDay')} value={draft.end_of_day} onChange={(e) => set('end_of_day', e.target.value as RuleDraft['end_of_day'])}>
            <option value="expire">{t('bookingExpire')}</option>
            <option value="carry_over">{t('bookingCarryOver')}</option>
          </Select>
          {!readOnly && <div className="mg-form__actions"><Button type="submit" disabled={busy}>{t('bookingSave')}</Button></div>}
        </fieldset>
      </form>
    </Card>
  );
}
