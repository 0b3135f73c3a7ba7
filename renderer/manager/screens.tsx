import { useState, type FormEvent } from 'react';
import { LANGUAGE_NAMES, LANGUAGES, type Language } from '../shared/i18n.tsx';
import { Badge, Banner, Button, Card, Field, Select } from '../shared/ui.tsx';
import { useManager } from './context.tsx';
import { byName, listAll, type Display, type Kiosk, type Printer, type Queue } from './data.ts';
import { formatDateTime } from './format.ts';
import type { ManagerKey } from './i18n.ts';
import { AdminOnly, Checkboxes, describeFailure, FormDialog, FormError, SectionHeader, TableWrap, useConfirm, useLoad, useSubmit, useT, useToast } from './kit.tsx';

const DISPLAY_TYPES = ['main', 'counter', 'waiting_room'] as const;
export const DISPLAY_TYPE_KEY: Readonly<Record<Display['type'], ManagerKey>> = { main: 'displayMain', counter: 'displayCounter', waiting_room: 'displayWaitingRoom' };
const languageOptions = LANGUAGES.map((l) => ({ value: l, label: LANGUAGE_NAMES[l] }));

function Online({ online, lastSeen }: Readonly<{ online: boolean; lastSeen: string | null }>) {
  const { t, lang } = useT();
  return (
    <>
      <Badge tone={online ? 'ok' : 'neutral'}>{online ? t('online') : t('offline')}</Badge>
      {lastSeen && <span className="mg-muted mg-block">{t('lastSeen', { time: formatDateTime(lang, lastSeen) })}</span>}
    </>
  );
}

const prefixesOf = (queues: readonly { prefix: string }[]) => queues.map((q) => q.prefix).join(' · ') || '–';

/** Displays: which queues a TV shows, its layout type and the languages it speaks the calls in. */
export function DisplaysSection() {
  const { api, can } = useManager();
  const { t } = useT();
  const confirm = useConfirm();
  const notify = useToast();
  const data = useLoad(async () => {
    const [displays, queues] = await Promise.all([listAll(api, 'listDisplays'), listAll(api, 'listQueues')]);
    return { displays: byName(displays), queues: [...queues].sort((a, b) => a.prefix.localeCompare(b.prefix)) };
  }, [api]);
  const [editing, setEditing] = useState<Display | 'new' | null>(null);
  const admin = can('manage:settings');

  const remove = async (display: Display) => {
    if (!await confirm({ title: t('displayDeleteTitle', { name: display.name }), body: t('displayDeleteBody'), confirm: t('delete') })) return;
    try {
      await api.call('deleteDisplay', { params: { id: display.id } });
      data.reload();
      notify(t('deleted'));
    } catch (error) {
      notify(describeFailure(error, t).message, { tone: 'danger' });
    }
  };

  return (
    <section className="mg-section" aria-labelledby="section-title">
      <SectionHeader
        title={t('navDisplays')}
        lead={t('displaysLead')}
        actions={admin && <Button onClick={() => setEditing('new')}>{t('displayNew')}</Button>}
      />
      {data.failure && <Banner>{data.failure.message}</Banner>}
      {!admin && <AdminOnly />}
      <Card title={t('displaysList')}>
        <TableWrap label={t('displaysList')}>
          <table className="mg-table">
            <caption className="sq-visually-hidden">{t('displaysList')}</caption>
            <thead>
              <tr><th scope="col">{t('colName')}</th><th scope="col">{t('colType')}</th><th scope="col">{t('colQueues')}</th><th scope="col">{t('colLanguages')}</th><th scope="col">{t('colConnection')}</th>{admin && <th scope="col"><span className="sq-visually-hidden">{t('colActions')}</span></th>}</tr>
            </thead>
            <tbody>
              {data.data?.displays.length === 0 && <tr><td colSpan={6} className="mg-empty">{t('noDisplays')}</td></tr>}
              {data.data?.displays.map((d) => (
                <tr key={d.id} data-display={d.id}>
                  <th scope="row">{d.name}</th>
                  <td>{t(DISPLAY_TYPE_KEY[d.type])}</td>
                  <td dir="ltr">{prefixesOf(d.queues)}</td>
                  <td>{d.languages.map((l) => l.toUpperCase()).join(' · ')}</td>
                  <td><Online online={d.is_online} lastSeen={d.last_seen_at} /></td>
                  {admin && (
                    <td className="mg-actions">
                      <Button tone="ghost" onClick={() => setEditing(d)} aria-label={t('editNamed', { name: d.name })}>{t('edit')}</Button>
                      <Button tone="ghost" onClick={() => void remove(d)} aria-label={t('deleteNamed', { name: d.name })}>{t('delete')}</Button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      </Card>
      {editing && data.data && (
        <FormDialog title={editing === 'new' ? t('displayNew') : t('displayEdit', { name: editing.name })} onClose={() => setEditing(null)}>
          <DisplayForm
            display={editing === 'new' ? null : editing}
            queues={data.data.queues}
            onClose={() => setEditing(null)}
            onSaved={() => {
              setEditing(null);
              data.reload();
            }}
          />
        </FormDialog>
      )}
    </section>
  );
}

function DisplayForm({ display, queues, onClose, onSaved }: Readonly<{ display: Display | null; queues: readonly Queue[]; onClose: () => void; onSaved: () => void }>) {
  const { api } = useManager();
  const { t } = useT();
  const notify = useToast();
  const initial = { name: display?.name ?? '', type: display?.type ?? 'main', queue_ids: display?.queue_ids ?? [], languages: (display?.languages ?? ['fr']) as Language[] };
  const [draft, setDraft] = useState(initial);
  const { busy, failure, run, fieldError } = useSubmit();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const saved = await run(() => (display
      ? api.call('updateDisplay', { params: { id: display.id }, body: draft })
      : api.call('createDisplay', { body: draft })));
    if (!saved) return;
    notify(display ? t('saved') : t('displayCreated', { name: saved.name }));
    onSaved();
  };

  return (
    <form className="mg-form" onSubmit={submit} noValidate>
      <FormError failure={failure} />
      <Field label={t('fieldName')} required value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} error={fieldError('name')} />
      <Select label={t('fieldDisplayType')} value={draft.type} onChange={(e) => setDraft({ ...draft, type: e.target.value as Display['type'] })}>
        {DISPLAY_TYPES.map((type) => <option key={type} value={type}>{t(DISPLAY_TYPE_KEY[type])}</option>)}
      </Select>
      <Checkboxes legend={t('fieldQueuesShown')} options={queues.map((q) => ({ value: q.id, label: `${q.prefix} — ${q.name}` }))}
        value={draft.queue_ids} onChange={(queue_ids) => setDraft({ ...draft, queue_ids })} error={fieldError('queue_ids')} />
      <Checkboxes legend={t('fieldLanguagesSpoken')} options={languageOptions} value={draft.languages}
        onChange={(languages) => setDraft({ ...draft, languages })} error={fieldError('languages')} />
      <div className="mg-form__actions">
        <Button tone="ghost" onClick={onClose}>{t('cancel')}</Button>
        <Button type="submit" disabled={busy}>{display ? t('save') : t('create')}</Button>
      </div>
    </form>
  );
}

/** Kiosks: the services a customer can take a ticket for, and the languages offered. */
export function KiosksSection() {
  const { api, can } = useManager();
  const { t } = useT();
  const confirm = useConfirm();
  const notify = useToast();
  const data = useLoad(async () => {
    const [kiosks, queues, printers] = await Promise.all([listAll(api, 'listKiosks'), listAll(api, 'listQueues'), listAll(api, 'listPrinters').catch(() => [])]);
    return { kiosks: byName(kiosks), queues: [...queues].sort((a, b) => a.prefix.localeCompare(b.prefix)), printers: byName(printers) };
  }, [api]);
  const [editing, setEditing] = useState<Kiosk | 'new' | null>(null);
  const admin = can('manage:settings');

  const remove = async (kiosk: Kiosk) => {
    if (!await confirm({ title: t('kioskDeleteTitle', { name: kiosk.name }), body: t('kioskDeleteBody'), confirm: t('delete') })) return;
    try {
      await api.call('deleteKiosk', { params: { id: kiosk.id } });
      data.reload();
      notify(t('deleted'));
    } catch (error) {
      notify(describeFailure(error, t).message, { tone: 'danger' });
    }
  };

  return (
    <section className="mg-section" aria-labelledby="section-title">
      <SectionHeader
        title={t('navKiosks')}
        lead={t('kiosksLead')}
        actions={admin && <Button onClick={() => setEditing('new')}>{t('kioskNew')}</Button>}
      />
      {data.failure && <Banner>{data.failure.message}</Banner>}
      {!admin && <AdminOnly />}
      <Card title={t('kiosksList')}>
        <TableWrap label={t('kiosksList')}>
          <table className="mg-table">
            <caption className="sq-visually-hidden">{t('kiosksList')}</caption>
            <thead>
              <tr><th scope="col">{t('colName')}</th><th scope="col">{t('colServicesOffered')}</th><th scope="col">{t('colLanguages')}</th><th scope="col">{t('colConnection')}</th>{admin && <th scope="col"><span className="sq-visually-hidden">{t('colActions')}</span></th>}</tr>
            </thead>
            <tbody>
              {data.data?.kiosks.length === 0 && <tr><td colSpan={5} className="mg-empty">{t('noKiosks')}</td></tr>}
              {data.data?.kiosks.map((k) => (
                <tr key={k.id} data-kiosk={k.id}>
                  <th scope="row">{k.name}</th>
                  <td>{k.queues.map((q) => q.service_name).join(', ') || '–'}</td>
                  <td>{k.languages.map((l) => l.toUpperCase()).join(' · ')}</td>
                  <td><Online online={k.is_online} lastSeen={k.last_seen_at} /></td>
                  {admin && (
                    <td className="mg-actions">
                      <Button tone="ghost" onClick={() => setEditing(k)} aria-label={t('editNamed', { name: k.name })}>{t('edit')}</Button>
                      <Button tone="ghost" onClick={() => void remove(k)} aria-label={t('deleteNamed', { name: k.name })}>{t('delete')}</Button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      </Card>
      {editing && data.data && (
        <FormDialog title={editing === 'new' ? t('kioskNew') : t('kioskEdit', { name: editing.name })} onClose={() => setEditing(null)}>
          <KioskForm
            kiosk={editing === 'new' ? null : editing}
            queues={data.data.queues}
            printers={data.data.printers}
            onClose={() => setEditing(null)}
            onSaved={() => {
              setEditing(null);
              data.reload();
            }}
          />
        </FormDialog>
      )}
    </section>
  );
}

function KioskForm({ kiosk, queues, printers, onClose, onSaved }: Readonly<{
  kiosk: Kiosk | null; queues: readonly Queue[]; printers: readonly Printer[]; onClose: () => void; onSaved: () => void;
}>) {
  const { api } = useManager();
  const { t } = useT();
  const notify = useToast();
  const initial = {
    name: kiosk?.name ?? '', queue_ids: kiosk?.queue_ids ?? [], languages: (kiosk?.languages ?? ['fr', 'en', 'ar']) as Language[],
    printer_id: kiosk?.printer_id ?? '',
  };
  const [draft, setDraft] = useState(initial);
  const { busy, failure, run, fieldError } = useSubmit();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const body = { ...draft, printer_id: draft.printer_id || null };
    const saved = await run(() => (kiosk
      ? api.call('updateKiosk', { params: { id: kiosk.id }, body })
      : api.call('createKiosk', { body })));
    if (!saved) return;
    notify(kiosk ? t('saved') : t('kioskCreated', { name: saved.name }));
    onSaved();
  };

  return (
    <form className="mg-form" onSubmit={submit} noValidate>
      <FormError failure={failure} />
      <Field label={t('fieldName')} required value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} error={fieldError('name')} />
      <Checkboxes legend={t('fieldServicesOffered')} options={queues.map((q) => ({ value: q.id, label: `${q.prefix} — ${q.service_name}` }))}
        value={draft.queue_ids} onChange={(queue_ids) => setDraft({ ...draft, queue_ids })} error={fieldError('queue_ids')} />
      <Checkboxes legend={t('fieldLanguagesOffered')} options={languageOptions} value={draft.languages}
        onChange={(languages) => setDraft({ ...draft, languages })} error={fieldError('languages')} />
      <Select label={t('fieldKioskPrinter')} value={draft.printer_id} onChange={(e) => setDraft({ ...draft, printer_id: e.target.value })}>
        <option value="">{t('none')}</option>
        {printers.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
      </Select>
      {fieldError('printer_id') && <p className="sq-field__error">{fieldError('printer_id')}</p>}
      <div className="mg-form__actions">
        <Button tone="ghost" onClick={onClose}>{t('cancel')}</Button>
        <Button type="submit" disabled={busy}>{kiosk ? t('save') : t('create')}</Button>
      </div>
    </form>
  );
}
