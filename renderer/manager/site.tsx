import { useEffect, useState, type FormEvent } from 'react';
import { Badge, Banner, Button, Card, Field } from '../shared/ui.tsx';
import { useManager } from './context.tsx';
import { listAll, type Site } from './data.ts';
import { OpeningHoursCard } from './booking.tsx';
import { AdminOnly, FormError, HqManagedNotice, SectionHeader, Toggle, useLoad, useSubmit, useT, useToast } from './kit.tsx';

type Draft = { name: string; address: string; city: string; country: string; timezone: string; phone: string; is_active: boolean };
const EMPTY: Draft = { name: '', address: '', city: '', country: '', timezone: '', phone: '', is_active: true };

function draftOf(site: Site): Draft {
  return { name: site.name, address: site.address, city: site.city, country: site.country, timezone: site.timezone, phone: site.phone, is_active: site.is_active };
}

/** The branch itself: name, address, time zone (it decides when ticket numbers restart), phone. */
export function SiteSection() {
  const { api, can, hqOwns, hqManaged } = useManager();
  const { t } = useT();
  const sites = useLoad(() => listAll(api, 'listSites'), [api]);
  const [selected, setSelected] = useState<string | 'new' | null>(null);
  const current = selected === 'new' ? null : sites.data?.find((s) => s.id === selected) ?? sites.data?.[0] ?? null;
  const editing = selected === 'new' ? 'new' : current;
  const admin = can('manage:settings') && !hqOwns('updateSite');

  return (
    <section className="mg-section" aria-labelledby="section-title">
      <SectionHeader
        title={t('navSite')}
        lead={t('siteLead')}
        actions={admin && <Button tone="secondary" onClick={() => setSelected('new')}>{t('siteAdd')}</Button>}
      />
      {sites.failure && <Banner>{sites.failure.message}</Banner>}
      {hqManaged ? <HqManagedNotice /> : !admin && <AdminOnly />}
      <div className="mg-split mg-split--form">
        <Card title={t('siteList')}>
          <ul className="mg-picklist">
            {(sites.data ?? []).map((site) => (
              <li key={site.id}>
                <button type="button" aria-pressed={current?.id === site.id && selected !== 'new'} onClick={() => setSelected(site.id)}>
                  <strong>{site.name}</strong>
                  <span className="mg-muted">{[site.city, site.country].filter(Boolean).join(', ')} · {site.timezone}</span>
                  {!site.is_active && <Badge tone="warn">{t('inactive')}</Badge>}
                </button>
              </li>
            ))}
          </ul>
        </Card>
        {editing && (
          <SiteForm
            key={editing === 'new' ? 'new' : editing.id}
            site={editing === 'new' ? null : editing}
            readOnly={!admin}
            onSaved={(saved) => {
              sites.reload();
              setSelected(saved.id);
            }}
          />
        )}
        {editing && editing !== 'new' && <OpeningHoursCard key={`hours-${editing.id}`} siteId={editing.id} readOnly={!can('manage:queue') || hqOwns('setOpeningHours')} />}
      </div>
    </section>
  );
}

function SiteForm({ site, readOnly, onSaved }: Readonly<{ site: Site | null; readOnly: boolean; onSaved: (site: Site) => void }>) {
  const { api } = useManager();
  const { t } = useT();
  const notify = useToast();
  const [draft, setDraft] = useState<Draft>(site ? draftOf(site) : EMPTY);
  const { busy, failure, run, fieldError } = useSubmit();
  useEffect(() => setDraft(site ? draftOf(site) : EMPTY), [site]);
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const saved = await run(() => (site
      ? api.call('updateSite', { params: { id: site.id }, body: draft })
      : api.call('createSite', { body: { ...draft, timezone: draft.timezone || undefined } })));
    if (saved) {
      notify(t('saved'));
      onSaved(saved);
    }
  };

  return (
    <Card title={site ? t('siteEdit', { name: site.name }) : t('siteNew')}>
      <form onSubmit={submit} noValidate>
        <fieldset className="mg-form" disabled={readOnly}>
          <FormError failure={failure} />
          <Field label={t('fieldName')} required value={draft.name} onChange={(e) => set('name', e.target.value)} error={fieldError('name')} />
          <Field label={t('fieldAddress')} value={draft.address} onChange={(e) => set('address', e.target.value)} error={fieldError('address')} />
          <div className="mg-row">
            <Field label={t('fieldCity')} value={draft.city} onChange={(e) => set('city', e.target.value)} error={fieldError('city')} />
            <Field label={t('fieldCountry')} value={draft.country} onChange={(e) => set('country', e.target.value)} error={fieldError('country')} />
          </div>
          <div className="mg-row">
            <Field label={t('fieldTimezone')} hint={t('fieldTimezoneHint')} value={draft.timezone} onChange={(e) => set('timezone', e.target.value)} error={fieldError('timezone')} dir="ltr" />
            <Field label={t('fieldPhone')} type="tel" value={draft.phone} onChange={(e) => set('phone', e.target.value)} error={fieldError('phone')} dir="ltr" />
          </div>
          <Toggle label={t('fieldActiveSite')} checked={draft.is_active} onChange={(v) => set('is_active', v)} />
          {!readOnly && <div className="mg-form__actions"><Button type="submit" disabled={busy}>{t('save')}</Button></div>}
        </fieldset>
      </form>
    </Card>
  );
}
