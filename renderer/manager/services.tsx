import { useState, type FormEvent } from 'react';
import { Badge, Banner, Button, Card, Field } from '../shared/ui.tsx';
import { BookingRuleCard } from './booking.tsx';
import { useManager } from './context.tsx';
import { byName, listAll, type Service } from './data.ts';
import { formatDuration } from './format.ts';
import { FormDialog, FormError, HqManagedNotice, SectionHeader, TableWrap, TextArea, Toggle, useConfirm, useLoad, useSubmit, useT, useToast } from './kit.tsx';

type Draft = { name: string; code: string; description: string; slaMinutes: string; serviceMinutes: string; is_active: boolean };
const EMPTY: Draft = { name: '', code: '', description: '', slaMinutes: '15', serviceMinutes: '5', is_active: true };

function draftOf(s: Service): Draft {
  return {
    name: s.name, code: s.code, description: s.description, slaMinutes: String(s.sla_seconds / 60),
    serviceMinutes: String(s.default_service_seconds / 60), is_active: s.is_active,
  };
}

/** Minutes typed by a person → seconds for the API; NaN is left for the API to refuse with a message. */
const toSeconds = (minutes: string) => Math.round(Number(minutes.replace(',', '.')) * 60);

/** Services with their SLA: the wait a customer should not exceed before being called. */
export function ServicesSection() {
  const { api, can, hqOwns, hqManaged } = useManager();
  const { t, lang } = useT();
  const confirm = useConfirm();
  const notify = useToast();
  const services = useLoad(async () => byName(await listAll(api, 'listServices')), [api]);
  const [editing, setEditing] = useState<Service | 'new' | null>(null);
  const allowed = can('manage:queue') && !hqOwns('updateService');

  const deactivate = async (service: Service) => {
    const ok = await confirm({ title: t('serviceDeactivateTitle', { name: service.name }), body: t('serviceDeactivateBody'), confirm: t('deactivate') });
    if (!ok) return;
    try {
      await api.call('deleteService', { params: { id: service.id } });
      services.reload();
      notify(t('serviceDeactivated', { name: service.name }), {
        undo: async () => {
          await api.call('updateService', { params: { id: service.id }, body: { is_active: true } });
          services.reload();
        },
      });
    } catch {
      notify(t('actionFailed'), { tone: 'danger' });
    }
  };

  return (
    <section className="mg-section" aria-labelledby="section-title">
      <SectionHeader
        title={t('navServices')}
        lead={t('servicesLead')}
        actions={allowed && <Button onClick={() => setEditing('new')}>{t('serviceNew')}</Button>}
      />
      {hqManaged && <HqManagedNotice />}
      {services.failure && <Banner>{services.failure.message}</Banner>}
      <Card title={t('servicesList')}>
        <TableWrap label={t('servicesList')}>
          <table className="mg-table">
            <caption className="sq-visually-hidden">{t('servicesList')}</caption>
            <thead>
              <tr><th scope="col">{t('colName')}</th><th scope="col">{t('colCode')}</th><th scope="col">{t('colSla')}</th><th scope="col">{t('colServiceTime')}</th><th scope="col">{t('colStatus')}</th><th scope="col"><span className="sq-visually-hidden">{t('colActions')}</span></th></tr>
            </thead>
            <tbody>
              {services.data?.length === 0 && <tr><td colSpan={6} className="mg-empty">{t('noServices')}</td></tr>}
              {services.data?.map((s) => (
                <tr key={s.id}>
                  <th scope="row">{s.name}</th>
                  <td dir="ltr">{s.code || '–'}</td>
                  <td>{s.sla_seconds > 0 ? formatDuration(lang, s.sla_seconds) : t('noSla')}</td>
                  <td>{formatDuration(lang, s.default_service_seconds)}</td>
                  <td><Badge tone={s.is_active ? 'ok' : 'warn'}>{s.is_active ? t('active') : t('inactive')}</Badge></td>
                  <td className="mg-actions">
                    {allowed && <Button tone="ghost" onClick={() => setEditing(s)} aria-label={t('editNamed', { name: s.name })}>{t('edit')}</Button>}
                    {allowed && s.is_active && <Button tone="ghost" onClick={() => void deactivate(s)} aria-label={t('deactivateNamed', { name: s.name })}>{t('deactivate')}</Button>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      </Card>
      {editing && (
        <FormDialog title={editing === 'new' ? t('serviceNew') : t('serviceEdit', { name: editing.name })} onClose={() => setEditing(null)}>
          <ServiceForm
            service={editing === 'new' ? null : editing}
            onClose={() => setEditing(null)}
            onSaved={() => {
              setEditing(null);
              services.reload();
            }}
          />
          {editing !== 'new' && <BookingRuleCard serviceId={editing.id} readOnly={!can('manage:queue') || hqOwns('setBookingRule')} />}
        </FormDialog>
      )}
    </section>
  );
}

function ServiceForm({ service, onClose, onSaved }: Readonly<{ service: Service | null; onClose: () => void; onSaved: () => void }>) {
  const { api } = useManager();
  const { t } = useT();
  const notify = useToast();
  const [draft, setDraft] = useState<Draft>(service ? draftOf(service) : EMPTY);
  const { busy, failure, run, fieldError } = useSubmit();
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const body = {
      name: draft.name, code: draft.code, description: draft.description, is_active: draft.is_active,
      sla_seconds: toSeconds(draft.slaMinutes), default_service_seconds: toSeconds(draft.serviceMinutes),
    };
    const saved = await run(() => (service
      ? api.call('updateService', { params: { id: service.id }, body })
      : api.call('createService', { body })));
    if (!saved) return;
    notify(service ? t('saved') : t('serviceCreated', { name: saved.name }));
    onSaved();
  };

  return (
    <form className="mg-form" onSubmit={submit} noValidate>
      <FormError failure={failure} />
      <Field label={t('fieldName')} required value={draft.name} onChange={(e) => set('name', e.target.value)} error={fieldError('name')} />
      <Field label={t('fieldCode')} hint={t('fieldCodeHint')} value={draft.code} onChange={(e) => set('code', e.target.value)} error={fieldError('code')} dir="ltr" />
      <div className="mg-row">
        <Field label={t('fieldSlaMinutes')} hint={t('fieldSlaHint')} type="number" min={0} step="any" inputMode="decimal" value={draft.slaMinutes} onChange={(e) => set('slaMinutes', e.target.value)} error={fieldError('sla_seconds')} />
        <Field label={t('fieldServiceMinutes')} hint={t('fieldServiceHint')} type="number" min={1} step="any" inputMode="decimal" value={draft.serviceMinutes} onChange={(e) => set('serviceMinutes', e.target.value)} error={fieldError('default_service_seconds')} />
      </div>
      <TextArea label={t('fieldDescription')} rows={2} value={draft.description} onChange={(e) => set('description', e.target.value)} error={fieldError('description')} />
      <Toggle label={t('fieldActiveService')} checked={draft.is_active} onChange={(v) => set('is_active', v)} />
      <div className="mg-form__actions">
        <Button tone="ghost" onClick={onClose}>{t('cancel')}</Button>
        <Button type="submit" disabled={busy}>{service ? t('save') : t('create')}</Button>
      </div>
    </form>
  );
}
