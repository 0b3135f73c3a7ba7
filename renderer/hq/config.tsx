import { useState, type FormEvent, type ReactNode } from 'react';
import type { z } from 'zod';
import type { ReceiptsQuery } from '../../sync/protocol/hq-analytics.contract.ts';
import { NotificationChannel, TEMPLATE_VARIABLES } from '../../branch-server/contract/notifications.contract.ts';
import { LANGUAGES, type Language } from '../shared/i18n.tsx';
import { Badge, Banner, Button, Field, Select, TextArea } from '../shared/ui.tsx';
import { changedFields, Check, RowActions } from './config-edit.tsx';
import { LoadState, Section, useHq, useLoad, useT, type Loaded } from './context.tsx';
import type { HqKey } from './i18n.ts';
import { BookingSettings } from './hours.tsx';

const TABS = ['sites', 'services', 'queues', 'staff', 'templates', 'booking', 'retention'] as const;
type Tab = (typeof TABS)[number];

export function ConfigPage() {
  const { t } = useT();
  const { can } = useHq();
  const [tab, setTab] = useState<Tab>('services');
  return (
    <Section title={t('configTitle')} lead={t('configLead')}>
      {!can('manage') && <Banner tone="info">{t('readOnly')}</Banner>}
      <div className="mg-segmented hq-gap" role="tablist" aria-label={t('configTitle')}>
        {TABS.map((name) => (
          <button key={name} type="button" role="tab" id={`tab-${name}`} aria-selected={tab === name} aria-controls="hq-config-panel"
            className={`sq-btn sq-btn--${tab === name ? 'primary' : 'ghost'}`} onClick={() => setTab(name)}>{t(name as HqKey)}</button>
        ))}
      </div>
      <div id="hq-config-panel" role="tabpanel" aria-labelledby={`tab-${tab}`}>
        {tab === 'sites' && <Sites />}
        {tab === 'services' && <Services />}
        {tab === 'queues' && <Queues />}
        {tab === 'staff' && <Staff />}
        {tab === 'templates' && <Templates />}
        {tab === 'booking' && <BookingSettings />}
        {tab === 'retention' && <Retention />}
      </div>
    </Section>
  );
}

/** Which branches have applied each row's latest change (from the change feed and their cursors). */
function useReceipts(entity: z.input<typeof ReceiptsQuery>['entity'], version: unknown) {
  const { api } = useHq();
  return useLoad(() => api.call('receipts', { query: { entity } }), [api, entity, version], 3_000);
}

function Received({ receipts, id }: Readonly<{ receipts: Loaded<{ branches: { branch: string; name: string }[]; items: { entity_id: string; received_by: string[] }[] }>; id: string }>) {
  const { t } = useT();
  const data = receipts.data;
  if (!data) return <>–</>;
  const total = data.branches.length;
  const item = data.items.find((i) => i.entity_id === id);
  // Receipts read before this row was made or changed (a reload is under way) answer an older question.
  if (receipts.loading) return <>–</>;
  // No feed entry: older than the feed's retention, long since received everywhere.
  const n = item ? item.received_by.length : total;
  const names = item ? data.branches.filter((b) => item.received_by.includes(b.branch)).map((b) => b.name).join(', ') : '';
  if (total === 0) return <>–</>;
  return (
    <span className="hq-received" data-received={n} data-total={total} title={names}>
      <Badge tone={n === total ? 'ok' : n === 0 ? 'warn' : 'info'}>{n === total ? t('receivedAll') : n === 0 ? t('receivedNone', { total }) : t('receivedBy', { n, total })}</Badge>
    </span>
  );
}

function useSubmit(done: () => void) {
  const { t } = useT();
  const [message, setMessage] = useState<{ tone: 'ok' | 'danger'; text: string } | null>(null);
  const run = (make: (form: FormData) => Promise<{ name?: string }>) => async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const target = event.currentTarget;
    try {
      const made = await make(new FormData(target));
      setMessage({ tone: 'ok', text: made.name ? t('created', { name: made.name }) : t('saved') });
      target.reset();
      done();
    } catch (e) {
      setMessage({ tone: 'danger', text: (e as Error).message });
    }
  };
  const banner = message && <Banner tone={message.tone}>{message.text}</Banner>;
  return { run, banner };
}

function Table({ head, children }: Readonly<{ head: readonly string[]; children: ReactNode }>) {
  return (
    <div className="mg-table-wrap">
      <table className="mg-table">
        <thead><tr>{head.map((h) => <th key={h} scope="col">{h}</th>)}</tr></thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

const str = (form: FormData, name: string) => String(form.get(name) ?? '').trim();

/** A number field's value for the API: empty is `empty`, anything else is sent as typed (the API says what is wrong). */
const num = <E,>(form: FormData, name: string, empty: E): number | E => (str(form, name) === '' ? empty : Number(str(form, name)));

function Sites() {
  const { api, can } = useHq();
  const { t } = useT();
  const [version, setVersion] = useState(0);
  const list = useLoad(() => api.call('listSites', { query: { page_size: 100 } }), [api, version]);
  const receipts = useReceipts('site', version);
  const changed = () => setVersion((v) => v + 1);
  const { run, banner } = useSubmit(changed);
  const admin = can('admin');
  return (
    <>
      <LoadState state={list}>
        <Table head={[t('name'), t('address'), t('city'), t('latitude'), t('longitude'), t('timezone'), t('received'), ...(admin ? [t('actions')] : [])]}>
          {list.data?.results.map((s) => (
            <tr key={s.id} data-site={s.name}>
              <th scope="row">{s.name}</th><td>{s.address}</td><td>{s.city}</td><td>{s.latitude ?? '–'}</td><td>{s.longitude ?? '–'}</td><td>{s.timezone}</td>
              <td><Received receipts={receipts} id={s.id} /></td>
              {admin && (
                <td className="mg-actions">
                  <RowActions name={s.name} onDone={changed}
                    form={(err) => (
                      <>
                        <Field label={t('name')} name="name" defaultValue={s.name} error={err('name')} />
                        <Field label={t('address')} name="address" defaultValue={s.address} error={err('address')} />
                        <Field label={t('city')} name="city" defaultValue={s.city} error={err('city')} />
                        <Field label={t('latitude')} name="latitude" type="number" step="any" defaultValue={s.latitude ?? ''} error={err('latitude')} />
                        <Field label={t('longitude')} name="longitude" type="number" step="any" defaultValue={s.longitude ?? ''} error={err('longitude')} />
                        <Field label={t('timezone')} name="timezone" defaultValue={s.timezone} error={err('timezone')} />
                      </>
                    )}
                    save={(f) => api.call('updateSite', {
                      params: { id: s.id },
                      body: changedFields(s, {
                        name: str(f, 'name'), address: str(f, 'address'), city: str(f, 'city'), timezone: str(f, 'timezone'),
                        latitude: num(f, 'latitude', null), longitude: num(f, 'longitude', null),
                      }),
                    })}
                    remove={() => api.call('deleteSite', { params: { id: s.id } })} confirmText={t('confirmDeleteSite')} />
                </td>
              )}
            </tr>
          ))}
        </Table>
      </LoadState>
      {admin && (
        <form className="mg-form hq-form" onSubmit={run(async (f) => api.call('createSite', {
          body: {
            name: str(f, 'name'), address: str(f, 'address'), city: str(f, 'city'), timezone: str(f, 'timezone') || undefined,
            latitude: str(f, 'latitude') ? Number(str(f, 'latitude')) : null, longitude: str(f, 'longitude') ? Number(str(f, 'longitude')) : null,
          },
        }))}>
          {banner}
          <Field label={t('name')} name="name" required />
          <Field label={t('address')} name="address" />
          <Field label={t('city')} name="city" />
          <Field label={t('latitude')} name="latitude" type="number" step="any" min={-90} max={90} />
          <Field label={t('longitude')} name="longitude" type="number" step="any" min={-180} max={180} />
          <Field label={t('timezone')} name="timezone" placeholder="Africa/Dakar" />
          <Button type="submit">{t('create')}</Button>
        </form>
      )}
    </>
  );
}

function Services() {
  const { api, can } = useHq();
  const { t } = useT();
  const [version, setVersion] = useState(0);
  const list = useLoad(() => api.call('listServices', { query: { page_size: 100 } }), [api, version]);
  const receipts = useReceipts('service', version);
  const changed = () => setVersion((v) => v + 1);
  const { run, banner } = useSubmit(changed);
  const manage = can('manage');
  return (
    <>
      <LoadState state={list}>
        <Table head={[t('name'), t('slaSeconds'), t('status'), t('received'), ...(manage ? [t('actions')] : [])]}>
          {list.data?.results.map((s) => (
            <tr key={s.id} data-service={s.name}>
              <th scope="row">{s.name}</th><td className="hq-sla">{s.sla_seconds}</td>
              <td><Badge tone={s.is_active ? 'ok' : 'neutral'}>{s.is_active ? t('isActive') : t('inactive')}</Badge></td>
              <td><Received receipts={receipts} id={s.id} /></td>
              {manage && (
                <td className="mg-actions">
                  <RowActions name={s.name} onDone={changed}
                    form={(err) => (
                      <>
                        <Field label={t('name')} name="name" defaultValue={s.name} error={err('name')} />
                        <Field label={t('slaSeconds')} name="sla_seconds" type="number" defaultValue={s.sla_seconds} error={err('sla_seconds')} />
                        <Check label={t('isActive')} name="is_active" defaultChecked={s.is_active} />
                      </>
                    )}
                    save={(f) => api.call('updateService', {
                      params: { id: s.id }, body: changedFields(s, { name: str(f, 'name'), sla_seconds: num(f, 'sla_seconds', 0), is_active: f.has('is_active') }),
                    })}
                    {...(s.is_active ? { remove: () => api.call('deleteService', { params: { id: s.id } }), removeLabel: t('deactivate'), confirmText: t('confirmDeactivateService') } : {})} />
                </td>
              )}
            </tr>
          ))}
        </Table>
      </LoadState>
      {manage && (
        <form className="mg-form hq-form" onSubmit={run((f) => api.call('createService', { body: { name: str(f, 'name'), sla_seconds: Number(str(f, 'sla') || 0) } }))}>
          {banner}
          <Field label={t('name')} name="name" required />
          <Field label={t('slaSeconds')} name="sla" type="number" min={0} max={86_400} />
          <Button type="submit">{t('create')}</Button>
        </form>
      )}
    </>
  );
}

const ALGORITHMS = ['fifo', 'priority', 'sla'] as const;
const QUEUE_STATUSES = ['open', 'paused', 'closed'] as const;

function Queues() {
  const { api, can } = useHq();
  const { t } = useT();
  const [version, setVersion] = useState(0);
  const list = useLoad(async () => {
    const [queues, sites, services] = await Promise.all([
      api.call('listQueues', { query: { page_size: 100 } }), api.call('listSites', { query: { page_size: 100 } }), api.call('listServices', { query: { page_size: 100 } }),
    ]);
    return { queues: queues.results, sites: sites.results, services: services.results };
  }, [api, version]);
  const receipts = useReceipts('queue', version);
  const changed = () => setVersion((v) => v + 1);
  const { run, banner } = useSubmit(changed);
  const manage = can('manage');
  const d = list.data;
  return (
    <LoadState state={list}>
      {d && (
        <>
          <Table head={[t('prefix'), t('name'), t('site'), t('service'), t('algorithm'), t('status'), t('received'), ...(manage ? [t('actions')] : [])]}>
            {d.queues.map((q) => (
              <tr key={q.id} data-queue={q.id}>
                <th scope="row">{q.prefix}</th><td>{q.name}</td><td>{d.sites.find((s) => s.id === q.site)?.name ?? q.site}</td>
                <td>{d.services.find((s) => s.id === q.service)?.name ?? q.service}</td><td>{q.algorithm}</td><td>{q.status}</td>
                <td><Received receipts={receipts} id={q.id} /></td>
                {manage && (
                  <td className="mg-actions">
                    <RowActions name={`${q.prefix} · ${q.name}`} onDone={changed}
                      form={(err) => (
                        <>
                          <Field label={t('name')} name="name" defaultValue={q.name} error={err('name')} />
                          <Field label={t('prefix')} name="prefix" defaultValue={q.prefix} error={err('prefix')} />
                          <Select label={t('service')} name="service" defaultValue={q.service}>{d.services.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}</Select>
                          <Select label={t('algorithm')} name="algorithm" defaultValue={q.algorithm}>{ALGORITHMS.map((a) => <option key={a} value={a}>{a}</option>)}</Select>
                          <Select label={t('status')} name="status" defaultValue={q.status}>{QUEUE_STATUSES.map((a) => <option key={a} value={a}>{a}</option>)}</Select>
                        </>
                      )}
                      save={(f) => api.call('updateQueue', {
                        params: { id: q.id },
                        body: changedFields(q, {
                          name: str(f, 'name'), prefix: str(f, 'prefix'), service: str(f, 'service'),
                          algorithm: str(f, 'algorithm') as (typeof ALGORITHMS)[number], status: str(f, 'status') as (typeof QUEUE_STATUSES)[number],
                        }),
                      })}
                      remove={() => api.call('deleteQueue', { params: { id: q.id } })} confirmText={t('confirmDeleteQueue')} />
                  </td>
                )}
              </tr>
            ))}
          </Table>
          {manage && (
            <form className="mg-form hq-form" onSubmit={run((f) => api.call('createQueue', {
              body: { site: str(f, 'site'), service: str(f, 'service'), name: str(f, 'name'), prefix: str(f, 'prefix'), algorithm: str(f, 'algorithm') as 'fifo' },
            }))}>
              {banner}
              <Field label={t('name')} name="name" required />
              <Field label={t('prefix')} name="prefix" required maxLength={3} />
              <Select label={t('site')} name="site" required>{d.sites.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}</Select>
              <Select label={t('service')} name="service" required>{d.services.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}</Select>
              <Select label={t('algorithm')} name="algorithm">{ALGORITHMS.map((a) => <option key={a} value={a}>{a}</option>)}</Select>
              <Button type="submit">{t('create')}</Button>
            </form>
          )}
        </>
      )}
    </LoadState>
  );
}

const ROLES = ['agent', 'manager', 'analyst', 'admin'] as const;

function Staff() {
  const { api, can } = useHq();
  const { t } = useT();
  const [version, setVersion] = useState(0);
  const list = useLoad(() => api.call('listMembers', { query: { page_size: 100 } }), [api, version]);
  const queues = useLoad(() => api.call('listQueues', { query: { page_size: 100 } }), [api]);
  // A member's row: their user, membership (role, active) and queues, keyed by user id.
  const receipts = useReceipts('staff', version);
  const changed = () => setVersion((v) => v + 1);
  const { run, banner } = useSubmit(changed);
  const manage = can('manage');
  const allQueues = queues.data?.results ?? [];
  // A member's branches are the sites of the queues they serve.
  const sitesOf = (ids: readonly string[]) => [...new Set(allQueues.filter((q) => ids.includes(q.id)).map((q) => q.site_name))].join(', ') || '–';
  return (
    <>
      <LoadState state={list}>
        <Table head={[t('email'), t('name'), t('role'), t('sites'), t('queues'), t('status'), t('received'), ...(manage ? [t('actions')] : [])]}>
          {list.data?.results.map((m) => (
            <tr key={m.id} data-member={m.email}>
              <th scope="row">{m.email}</th><td>{`${m.first_name} ${m.last_name}`.trim()}</td><td>{m.role}</td>
              <td>{sitesOf(m.queue_ids)}</td><td>{allQueues.filter((q) => m.queue_ids.includes(q.id)).map((q) => q.prefix).join(' ') || '–'}</td>
              <td><Badge tone={m.is_active ? 'ok' : 'neutral'}>{m.is_active ? t('isActive') : t('inactive')}</Badge></td>
              <td><Received receipts={receipts} id={m.id} /></td>
              {manage && (
                <td className="mg-actions">
                  <RowActions name={m.email} onDone={changed}
                    form={(err) => (
                      <>
                        <Field label={t('firstName')} name="first_name" defaultValue={m.first_name} error={err('first_name')} />
                        <Field label={t('lastName')} name="last_name" defaultValue={m.last_name} error={err('last_name')} />
                        <Select label={t('role')} name="role" defaultValue={m.role}>{ROLES.map((r) => <option key={r} value={r}>{r}</option>)}</Select>
                        <Check label={t('isActive')} name="is_active" defaultChecked={m.is_active} />
                        <fieldset className="mg-checks hq-wide" aria-invalid={err('queue_ids') ? true : undefined}>
                          <legend>{t('queues')}</legend>
                          <div className="mg-checks__list">
                            {allQueues.map((q) => <Check key={q.id} label={`${q.prefix} · ${q.name} (${q.site_name})`} name="queue_ids" value={q.id} defaultChecked={m.queue_ids.includes(q.id)} />)}
                          </div>
                          {err('queue_ids') && <p className="sq-field__error">{err('queue_ids')}</p>}
                        </fieldset>
                      </>
                    )}
                    save={(f) => api.call('updateMember', {
                      params: { id: m.id },
                      body: changedFields(m, {
                        first_name: str(f, 'first_name'), last_name: str(f, 'last_name'), role: str(f, 'role') as (typeof ROLES)[number],
                        is_active: f.has('is_active'), queue_ids: f.getAll('queue_ids').map(String),
                      }),
                    })}
                    {...(m.is_active ? { remove: () => api.call('deleteMember', { params: { id: m.id } }), removeLabel: t('deactivate'), confirmText: t('confirmDeactivateMember') } : {})} />
                </td>
              )}
            </tr>
          ))}
        </Table>
      </LoadState>
      {manage && (
        <form className="mg-form hq-form" onSubmit={run(async (f) => {
          const made = await api.call('createMember', {
            body: {
              email: str(f, 'email'), password: str(f, 'password'), first_name: str(f, 'first'), last_name: str(f, 'last'), role: str(f, 'role') as 'agent',
              queue_ids: f.getAll('queues').map(String),
            },
          });
          return { name: made.email };
        })}>
          {banner}
          <Field label={t('email')} name="email" type="email" required />
          <Field label={t('password')} name="password" type="password" minLength={8} required autoComplete="new-password" />
          <Field label={t('firstName')} name="first" />
          <Field label={t('lastName')} name="last" />
          <Select label={t('role')} name="role">{ROLES.map((r) => <option key={r} value={r}>{r}</option>)}</Select>
          <div className="sq-field">
            <label htmlFor="staff-queues">{t('queues')}</label>
            <select id="staff-queues" name="queues" multiple size={4}>
              {allQueues.map((q) => <option key={q.id} value={q.id}>{q.prefix} · {q.name}</option>)}
            </select>
          </div>
          <Button type="submit">{t('create')}</Button>
        </form>
      )}
    </>
  );
}

function Templates() {
  const { api, can } = useHq();
  const { t } = useT();
  const [version, setVersion] = useState(0);
  const list = useLoad(() => api.call('listTemplates', { query: { page_size: 100 } }), [api, version]);
  const receipts = useReceipts('notification_template', version);
  const changed = () => setVersion((v) => v + 1);
  const { run, banner } = useSubmit(changed);
  const admin = can('admin');
  const variablesHint = t('templateVariables', { variables: TEMPLATE_VARIABLES.map((v) => `{{${v}}}`).join(' ') });
  return (
    <>
      <LoadState state={list}>
        <Table head={[t('key'), t('channel'), t('language'), t('subject'), t('body'), t('status'), t('received'), ...(admin ? [t('actions')] : [])]}>
          {list.data?.results.map((m) => {
            const name = `${m.key} · ${m.channel} · ${m.language}`;
            return (
              <tr key={m.id} data-template={name}>
                <th scope="row">{m.key}</th><td>{m.channel}</td><td>{m.language}</td><td>{m.subject}</td><td className="hq-template-body">{m.body}</td>
                <td><Badge tone={m.is_active ? 'ok' : 'neutral'}>{m.is_active ? t('isActive') : t('inactive')}</Badge></td>
                <td><Received receipts={receipts} id={m.id} /></td>
                {admin && (
                  <td className="mg-actions">
                    <RowActions name={name} onDone={changed}
                      form={(err) => (
                        <>
                          <Field label={t('subject')} name="subject" defaultValue={m.subject} error={err('subject')} />
                          <TextArea label={t('body')} name="body" rows={5} defaultValue={m.body} error={err('body')} hint={variablesHint} />
                          <Check label={t('isActive')} name="is_active" defaultChecked={m.is_active} />
                        </>
                      )}
                      save={(f) => api.call('updateTemplate', {
                        params: { id: m.id }, body: changedFields(m, { subject: str(f, 'subject'), body: str(f, 'body'), is_active: f.has('is_active') }),
                      })}
                      remove={() => api.call('deleteTemplate', { params: { id: m.id } })} confirmText={t('confirmDeleteTemplate')} />
                  </td>
                )}
              </tr>
            );
          })}
        </Table>
      </LoadState>
      {admin && (
        <form className="mg-form hq-form" aria-label={t('newTemplate')} onSubmit={run(async (f) => {
          const made = await api.call('createTemplate', {
            body: {
              key: str(f, 'key'), channel: NotificationChannel.parse(str(f, 'channel')), language: str(f, 'language') as Language,
              subject: str(f, 'subject'), body: str(f, 'body'),
            },
          });
          return { name: made.key };
        })}>
          {banner}
          <Field label={t('key')} name="key" required placeholder="ticket_called" pattern="[a-z][a-z0-9_]{0,63}" />
          <Select label={t('channel')} name="channel" defaultValue="sms">
            {NotificationChannel.options.map((c) => <option key={c} value={c}>{c}</option>)}
          </Select>
          <Select label={t('language')} name="language" defaultValue="fr">
            {LANGUAGES.map((l) => <option key={l} value={l}>{l}</option>)}
          </Select>
          <Field label={t('subject')} name="subject" />
          <TextArea label={t('body')} name="body" rows={4} required hint={variablesHint} />
          <Button type="submit">{t('create')}</Button>
        </form>
      )}
    </>
  );
}

function Retention() {
  const { api, session } = useHq();
  const { t } = useT();
  const [version, setVersion] = useState(0);
  const tenant = useLoad(() => api.call('getTenant'), [api, version]);
  const { run, banner } = useSubmit(() => setVersion((v) => v + 1));
  return (
    <LoadState state={tenant}>
      {tenant.data && (
        <form className="mg-form hq-form" onSubmit={run(async (f) => {
          await api.call('updateTenant', { body: { data_retention_days: Number(str(f, 'days')) } });
          return {};
        })}>
          {banner}
          <Field label={t('retentionDays')} name="days" type="number" min={1} max={3650} defaultValue={tenant.data.data_retention_days}
            disabled={!session.user.is_super_admin} hint={session.user.is_super_admin ? undefined : t('retentionNote')} />
          {session.user.is_super_admin && <Button type="submit">{t('save')}</Button>}
        </form>
      )}
    </LoadState>
  );
}
