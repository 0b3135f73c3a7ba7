import { useState, type FormEvent } from 'react';
import { Banner, Button, Card, Field, Select } from '../shared/ui.tsx';
import { QUEUE_STATUS_KEY } from './board.tsx';
import { useManager } from './context.tsx';
import { byName, listAll, type Queue } from './data.ts';
import type { ManagerKey } from './i18n.ts';
import { describeFailure, FormDialog, FormError, HqManagedNotice, SectionHeader, TableWrap, useConfirm, useLoad, useSubmit, useT, useToast } from './kit.tsx';

const ALGORITHMS = ['fifo', 'priority', 'sla'] as const;
const ALGORITHM_KEY: Readonly<Record<Queue['algorithm'], ManagerKey>> = { fifo: 'algoFifo', priority: 'algoPriority', sla: 'algoSla' };
const STATUSES = ['open', 'paused', 'closed'] as const;

type Draft = { site: string; service: string; name: string; prefix: string; algorithm: Queue['algorithm']; weight: string; max_capacity: string };

/** Queues: which service at which site, the ticket prefix, the calling policy and whether it is open. */
export function QueuesSection() {
  const { api, can, hqOwns, hqManaged } = useManager();
  const { t } = useT();
  const confirm = useConfirm();
  const notify = useToast();
  const data = useLoad(async () => {
    const [queues, services, sites] = await Promise.all([listAll(api, 'listQueues'), listAll(api, 'listServices'), listAll(api, 'listSites')]);
    return { queues: [...queues].sort((a, b) => a.site_name.localeCompare(b.site_name) || a.prefix.localeCompare(b.prefix)), services: byName(services), sites: byName(sites) };
  }, [api]);
  const [editing, setEditing] = useState<Queue | 'new' | null>(null);
  const allowed = can('manage:queue');
  // Opening, pausing and closing a queue stay the branch's own; its definition is HQ's once enrolled.
  const configurable = allowed && !hqOwns('updateQueue');
  const manySites = (data.data?.sites.length ?? 0) > 1;

  const setStatus = async (queue: Queue, status: Queue['status']) => {
    if (status === queue.status) return;
    if (status === 'closed') {
      const ok = await confirm({ title: t('queueCloseTitle', { name: queue.name }), body: t('queueCloseBody'), confirm: t('queueCloseConfirm') });
      if (!ok) return;
    }
    const previous = queue.status;
    try {
      await api.call('setQueueStatus', { params: { id: queue.id }, body: { status } });
      data.reload();
      notify(t('queueStatusChanged', { name: queue.name, status: t(QUEUE_STATUS_KEY[status]) }), {
        undo: async () => {
          await api.call('setQueueStatus', { params: { id: queue.id }, body: { status: previous } });
          data.reload();
        },
      });
    } catch (error) {
      notify(describeFailure(error, t).message, { tone: 'danger' });
    }
  };

  const remove = async (queue: Queue) => {
    const ok = await confirm({ title: t('queueDeleteTitle', { name: queue.name }), body: t('queueDeleteBody'), confirm: t('delete') });
    if (!ok) return;
    try {
      await api.call('deleteQueue', { params: { id: queue.id } });
      data.reload();
      notify(t('deleted'));
    } catch (error) {
      notify(describeFailure(error, t).message, { tone: 'danger' });
    }
  };

  return (
    <section className="mg-section" aria-labelledby="section-title">
      <SectionHeader
        title={t('navQueues')}
        lead={t('queuesLead')}
        actions={configurable && <Button onClick={() => setEditing('new')}>{t('queueNew')}</Button>}
      />
      {hqManaged && <HqManagedNotice />}
      {data.failure && <Banner>{data.failure.message}</Banner>}
      <Card title={t('queuesList')}>
        <TableWrap label={t('queuesList')}>
          <table className="mg-table">
            <caption className="sq-visually-hidden">{t('queuesList')}</caption>
            <thead>
              <tr><th scope="col">{t('colPrefix')}</th><th scope="col">{t('colName')}</th><th scope="col">{t('colService')}</th><th scope="col">{t('colAlgorithm')}</th><th scope="col">{t('colStatus')}</th><th scope="col">{t('kpiWaiting')}</th><th scope="col"><span className="sq-visually-hidden">{t('colActions')}</span></th></tr>
            </thead>
            <tbody>
              {data.data?.queues.length === 0 && <tr><td colSpan={7} className="mg-empty">{t('noQueues')}</td></tr>}
              {data.data?.queues.map((q) => (
                <tr key={q.id} data-queue={q.id}>
                  <td><span className="mg-prefix" dir="ltr">{q.prefix}</span></td>
                  <th scope="row">{q.name}{manySites && <span className="mg-muted mg-block">{q.site_name}</span>}</th>
                  <td>{q.service_name}</td>
                  <td>{t(ALGORITHM_KEY[q.algorithm])}</td>
                  <td>
                    <div className="mg-segmented" role="group" aria-label={t('queueStatusOf', { name: q.name })}>
                      {STATUSES.map((status) => (
                        <button
                          key={status}
                          type="button"
                          className={`is-${status}`}
                          aria-pressed={q.status === status}
                          disabled={!allowed}
                          onClick={() => void setStatus(q, status)}
                        >
                          {t(QUEUE_STATUS_KEY[status])}
                        </button>
                      ))}
                    </div>
                  </td>
                  <td>{q.waiting_count}</td>
                  <td className="mg-actions">
                    {configurable && <Button tone="ghost" onClick={() => setEditing(q)} aria-label={t('editNamed', { name: q.name })}>{t('edit')}</Button>}
                    {configurable && <Button tone="ghost" onClick={() => void remove(q)} aria-label={t('deleteNamed', { name: q.name })}>{t('delete')}</Button>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      </Card>
      {editing && data.data && (
        <FormDialog title={editing === 'new' ? t('queueNew') : t('queueEdit', { name: editing.name })} onClose={() => setEditing(null)}>
          <QueueForm
            queue={editing === 'new' ? null : editing}
            sites={data.data.sites}
            services={data.data.services}
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

function QueueForm({ queue, sites, services, onClose, onSaved }: Readonly<{
  queue: Queue | null;
  sites: readonly { id: string; name: string }[];
  services: readonly { id: string; name: string; is_active: boolean }[];
  onClose: () => void;
  onSaved: () => void;
}>) {
  const { api } = useManager();
  const { t } = useT();
  const notify = useToast();
  const initial: Draft = queue
    ? { site: queue.site, service: queue.service, name: queue.name, prefix: queue.prefix, algorithm: queue.algorithm, weight: String(queue.weight), max_capacity: String(queue.max_capacity) }
    : { site: sites[0]?.id ?? '', service: '', name: '', prefix: '', algorithm: 'fifo', weight: '1', max_capacity: '0' };
  const [draft, setDraft] = useState<Draft>(initial);
  const { busy, failure, run, fieldError } = useSubmit();
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const fields = {
      service: draft.service, name: draft.name, prefix: draft.prefix.toUpperCase(), algorithm: draft.algorithm,
      weight: Number(draft.weight), max_capacity: Number(draft.max_capacity),
    };
    const saved = await run(() => (queue
      ? api.call('updateQueue', { params: { id: queue.id }, body: fields })
      : api.call('createQueue', { body: { ...fields, site: draft.site } })));
    if (!saved) return;
    notify(queue ? t('saved') : t('queueCreated', { name: saved.name }));
    onSaved();
  };

  return (
    <form className="mg-form" onSubmit={submit} noValidate>
      <FormError failure={failure} />
      {!queue && (
        <Select label={t('fieldSite')} value={draft.site} onChange={(e) => set('site', e.target.value)}>
          {sites.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
        </Select>
      )}
      <Select label={t('fieldService')} value={draft.service} onChange={(e) => {
        const service = services.find((s) => s.id === e.target.value);
        setDraft((d) => ({ ...d, service: e.target.value, name: d.name || service?.name || '' }));
      }} aria-invalid={fieldError('service') ? true : undefined}>
        <option value="">{t('choose')}</option>
        {services.filter((s) => s.is_active || s.id === draft.service).map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
      </Select>
      {fieldError('service') && <p className="sq-field__error mg-under">{fieldError('service')}</p>}
      <Field label={t('fieldName')} required value={draft.name} onChange={(e) => set('name', e.target.value)} error={fieldError('name')} />
      <div className="mg-row">
        <Field label={t('fieldPrefix')} hint={t('fieldPrefixHint')} value={draft.prefix} maxLength={3} dir="ltr" onChange={(e) => set('prefix', e.target.value.toUpperCase())} error={fieldError('prefix')} />
        <Select label={t('fieldAlgorithm')} value={draft.algorithm} onChange={(e) => set('algorithm', e.target.value as Queue['algorithm'])}>
          {ALGORITHMS.map((a) => <option key={a} value={a}>{t(ALGORITHM_KEY[a])}</option>)}
        </Select>
      </div>
      <div className="mg-row">
        <Field label={t('fieldWeight')} hint={t('fieldWeightHint')} type="number" min={1} max={10} value={draft.weight} onChange={(e) => set('weight', e.target.value)} error={fieldError('weight')} />
        <Field label={t('fieldCapacity')} hint={t('fieldCapacityHint')} type="number" min={0} value={draft.max_capacity} onChange={(e) => set('max_capacity', e.target.value)} error={fieldError('max_capacity')} />
      </div>
      <div className="mg-form__actions">
        <Button tone="ghost" onClick={onClose}>{t('cancel')}</Button>
        <Button type="submit" disabled={busy}>{queue ? t('save') : t('create')}</Button>
      </div>
    </form>
  );
}
