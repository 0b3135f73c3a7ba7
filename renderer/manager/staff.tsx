import { useState, type FormEvent } from 'react';
import { Badge, Banner, Button, Card, Field, Select } from '../shared/ui.tsx';
import { useManager } from './context.tsx';
import { listAll, type Member, type Queue } from './data.ts';
import type { ManagerKey } from './i18n.ts';
import { Checkboxes, describeFailure, FormDialog, FormError, HqManagedNotice, SectionHeader, TableWrap, useConfirm, useLoad, useSubmit, useT, useToast } from './kit.tsx';

type Role = Member['role'];
const ROLE_KEY: Readonly<Record<Role, ManagerKey>> = { admin: 'roleAdmin', manager: 'roleManager', agent: 'roleAgent' };

type Draft = { email: string; password: string; first_name: string; last_name: string; role: Role; queue_ids: string[]; counter: string };
const EMPTY: Draft = { email: '', password: '', first_name: '', last_name: '', role: 'agent', queue_ids: [], counter: '' };

export const personName = (m: { first_name: string; last_name: string; email: string }) => `${m.first_name} ${m.last_name}`.trim() || m.email;

/** Staff: who works here, their role, the queues they serve (skills) and their counter. */
export function StaffSection() {
  const { api, can, session, hqOwns, hqManaged } = useManager();
  const { t } = useT();
  const confirm = useConfirm();
  const notify = useToast();
  const data = useLoad(async () => {
    const [members, queues] = await Promise.all([listAll(api, 'listMembers'), listAll(api, 'listQueues')]);
    return {
      members: [...members].sort((a, b) => Number(b.is_active) - Number(a.is_active) || personName(a).localeCompare(personName(b))),
      queues: [...queues].sort((a, b) => a.prefix.localeCompare(b.prefix)),
    };
  }, [api]);
  const [editing, setEditing] = useState<Member | 'new' | null>(null);
  const allowed = can('manage:agent');
  const prefixes = new Map((data.data?.queues ?? []).map((q) => [q.id, q.prefix]));

  const setActive = async (member: Member, active: boolean) => {
    if (!active) {
      const ok = await confirm({ title: t('memberDeactivateTitle', { name: personName(member) }), body: t('memberDeactivateBody'), confirm: t('deactivate') });
      if (!ok) return;
    }
    try {
      if (active) await api.call('updateMember', { params: { id: member.id }, body: { is_active: true } });
      else await api.call('deleteMember', { params: { id: member.id } });
      data.reload();
      notify(t(active ? 'memberReactivated' : 'memberDeactivated', { name: personName(member) }), active ? {} : {
        undo: async () => {
          await api.call('updateMember', { params: { id: member.id }, body: { is_active: true } });
          data.reload();
        },
      });
    } catch (error) {
      notify(describeFailure(error, t).message, { tone: 'danger' });
    }
  };

  return (
    <section className="mg-section" aria-labelledby="section-title">
      <SectionHeader
        title={t('navStaff')}
        lead={t('staffLead')}
        actions={allowed && !hqOwns('createMember') && <Button onClick={() => setEditing('new')}>{t('memberNew')}</Button>}
      />
      {hqManaged && <HqManagedNotice />}
      {data.failure && <Banner>{data.failure.message}</Banner>}
      <Card title={t('staffList')}>
        <TableWrap label={t('staffList')}>
          <table className="mg-table">
            <caption className="sq-visually-hidden">{t('staffList')}</caption>
            <thead>
              <tr><th scope="col">{t('colPerson')}</th><th scope="col">{t('colRole')}</th><th scope="col">{t('colQueues')}</th><th scope="col">{t('colCounter')}</th><th scope="col">{t('colStatus')}</th><th scope="col"><span className="sq-visually-hidden">{t('colActions')}</span></th></tr>
            </thead>
            <tbody>
              {data.data?.members.map((m) => (
                <tr key={m.id} data-member={m.email} className={m.is_active ? '' : 'is-inactive'}>
                  <th scope="row">{personName(m)}<span className="mg-muted mg-block" dir="ltr">{m.email}</span></th>
                  <td>{t(ROLE_KEY[m.role])}</td>
                  <td dir="ltr">{m.queue_ids.map((id) => prefixes.get(id) ?? '?').sort().join(' · ') || '–'}</td>
                  <td>{m.counter ?? '–'}</td>
                  <td>{m.is_active ? <Badge tone="ok">{t('active')}</Badge> : <Badge tone="warn">{t('inactive')}</Badge>}</td>
                  <td className="mg-actions">
                    {allowed && <Button tone="ghost" onClick={() => setEditing(m)} aria-label={t('editNamed', { name: personName(m) })}>{t('edit')}</Button>}
                    {allowed && m.id !== session.user.id && (m.is_active ? !hqOwns('deleteMember') : true) && (m.is_active
                      ? <Button tone="ghost" onClick={() => void setActive(m, false)} aria-label={t('deactivateNamed', { name: personName(m) })}>{t('deactivate')}</Button>
                      : <Button tone="ghost" onClick={() => void setActive(m, true)} aria-label={t('reactivateNamed', { name: personName(m) })}>{t('reactivate')}</Button>)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      </Card>
      {editing && data.data && (
        <FormDialog title={editing === 'new' ? t('memberNew') : t('memberEdit', { name: personName(editing) })} onClose={() => setEditing(null)}>
          <MemberForm
            member={editing === 'new' ? null : editing}
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

function MemberForm({ member, queues, onClose, onSaved }: Readonly<{ member: Member | null; queues: readonly Queue[]; onClose: () => void; onSaved: () => void }>) {
  const { api, can } = useManager();
  const { t } = useT();
  const notify = useToast();
  const [draft, setDraft] = useState<Draft>(member
    ? { ...EMPTY, email: member.email, first_name: member.first_name, last_name: member.last_name, role: member.role, queue_ids: member.queue_ids, counter: member.counter ?? '' }
    : EMPTY);
  const { busy, failure, run, fieldError } = useSubmit();
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  // Granting the admin role needs manage:settings: a manager is not offered it.
  const roles: Role[] = can('manage:settings') || member?.role === 'admin' ? ['agent', 'manager', 'admin'] : ['agent', 'manager'];

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const saved = await run(() => (member
      ? api.call('updateMember', {
        params: { id: member.id },
        body: { first_name: draft.first_name, last_name: draft.last_name, role: draft.role, queue_ids: draft.queue_ids, counter: draft.counter },
      })
      : api.call('createMember', {
        body: {
          email: draft.email, password: draft.password, first_name: draft.first_name, last_name: draft.last_name, role: draft.role,
          ...(draft.queue_ids.length > 0 ? { queue_ids: draft.queue_ids } : {}), ...(draft.counter ? { counter: draft.counter } : {}),
        },
      })));
    if (!saved) return;
    notify(member ? t('saved') : t('memberCreated', { name: personName(saved) }));
    onSaved();
  };

  return (
    <form className="mg-form" onSubmit={submit} noValidate>
      <FormError failure={failure} />
      <div className="mg-row">
        <Field label={t('fieldFirstName')} value={draft.first_name} onChange={(e) => set('first_name', e.target.value)} error={fieldError('first_name')} autoComplete="off" />
        <Field label={t('fieldLastName')} value={draft.last_name} onChange={(e) => set('last_name', e.target.value)} error={fieldError('last_name')} autoComplete="off" />
      </div>
      {!member && (
        <>
          <Field label={t('email')} type="email" required dir="ltr" value={draft.email} onChange={(e) => set('email', e.target.value)} error={fieldError('email')} autoComplete="off" />
          <Field label={t('fieldInitialPassword')} hint={t('fieldPasswordHint')} type="password" required value={draft.password} onChange={(e) => set('password', e.target.value)} error={fieldError('password')} autoComplete="new-password" />
        </>
      )}
      <div className="mg-row">
        <Select label={t('fieldRole')} value={draft.role} onChange={(e) => set('role', e.target.value as Role)}>
          {roles.map((r) => <option key={r} value={r}>{t(ROLE_KEY[r])}</option>)}
        </Select>
        <Field label={t('fieldCounter')} hint={t('fieldCounterHint')} value={draft.counter} onChange={(e) => set('counter', e.target.value)} error={fieldError('counter')} />
      </div>
      {fieldError('role') && <p className="sq-field__error mg-under">{fieldError('role')}</p>}
      <Checkboxes
        legend={t('fieldQueuesServed')}
        options={queues.map((q) => ({ value: q.id, label: `${q.prefix} — ${q.name}` }))}
        value={draft.queue_ids}
        onChange={(ids) => set('queue_ids', ids)}
        error={fieldError('queue_ids')}
      />
      <div className="mg-form__actions">
        <Button tone="ghost" onClick={onClose}>{t('cancel')}</Button>
        <Button type="submit" disabled={busy}>{member ? t('save') : t('create')}</Button>
      </div>
    </form>
  );
}
