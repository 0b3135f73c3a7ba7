import { useState, type FormEvent } from 'react';
import type { z } from 'zod';
import type { AuditLogDto, AuditVerifyDto } from '../../branch-server/contract/audit.contract.ts';
import { Banner, Button, Card, Field, Select } from '../shared/ui.tsx';
import { useManager } from './context.tsx';
import { listAll } from './data.ts';
import { formatDateTime, formatNumber } from './format.ts';
import { AdminOnly, SectionHeader, shortId, TableWrap, useLoad, useSubmit, useT, type Failure } from './kit.tsx';
import { personName } from './staff.tsx';

type Entry = z.output<typeof AuditLogDto>;
type Verify = z.output<typeof AuditVerifyDto>;
type Filters = { action: string; entity: string; actor: string; from: string; to: string };
const EMPTY: Filters = { action: '', entity: '', actor: '', from: '', to: '' };
const PAGE_SIZE = 25;
const ENTITIES = ['ticket', 'queue', 'service', 'site', 'member', 'agent', 'customer', 'appointment', 'feedback', 'device', 'display', 'kiosk', 'printer', 'notification_template', 'tenant'];

/** The day after a YYYY-MM-DD date: the "to" filter includes its whole day (the API's bound is exclusive). */
function dayAfter(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, (d ?? 1) + 1)).toISOString().slice(0, 10);
}

/** The audit log: who did what and when, filtered and paged, and a check of its hash chain. */
export function AuditSection() {
  const { can } = useManager();
  const { t } = useT();
  return (
    <section className="mg-section" aria-labelledby="section-title">
      <SectionHeader title={t('navAudit')} lead={t('auditLead')} />
      {can('manage:settings') ? <Audit /> : <AdminOnly>{t('auditAdminOnly')}</AdminOnly>}
    </section>
  );
}

function Audit() {
  const { api } = useManager();
  const { t, lang } = useT();
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [page, setPage] = useState(1);
  const members = useLoad(() => listAll(api, 'listMembers'), [api]);
  const log = useLoad(() => api.call('listAuditLogs', {
    query: {
      page, page_size: PAGE_SIZE,
      ...(filters.action ? { action: filters.action } : {}),
      ...(filters.entity ? { entity: filters.entity } : {}),
      ...(filters.actor ? { actor: filters.actor } : {}),
      ...(filters.from ? { created_after: filters.from } : {}),
      ...(filters.to ? { created_before: dayAfter(filters.to) } : {}),
    },
  }), [api, page, filters]);
  const verify = useSubmit();
  const [verified, setVerified] = useState<Verify | null>(null);
  const pages = log.data ? Math.max(1, Math.ceil(log.data.count / PAGE_SIZE)) : 1;

  const apply = (event: FormEvent) => {
    event.preventDefault();
    setPage(1);
    setFilters(draft);
  };

  const check = async () => {
    setVerified(null);
    const result = await verify.run(() => api.call('verifyAuditChain'));
    if (result) setVerified(result);
  };

  return (
    <>
      <Card className="mg-verify" title={t('verifyTitle')} actions={<Button onClick={() => void check()} disabled={verify.busy}>{verify.busy ? t('verifying') : t('verifyChain')}</Button>}>
        <p className="mg-muted">{t('verifyLead')}</p>
        {verify.failure && <Banner>{verify.failure.message}</Banner>}
        {verified && (verified.ok
          ? <Banner tone="ok">{t('verifyOk', { rows: formatNumber(lang, verified.rows) })}</Banner>
          : <Banner>{t('verifyBroken', { seq: verified.broken_at_seq ?? '?', rows: formatNumber(lang, verified.rows) })}</Banner>)}
      </Card>

      <form className="mg-filters" onSubmit={apply} aria-label={t('filters')}>
        <Field label={t('filterAction')} dir="ltr" value={draft.action} onChange={(e) => setDraft({ ...draft, action: e.target.value })} aria-describedby="action-hint" />
        <Select label={t('filterEntity')} value={draft.entity} onChange={(e) => setDraft({ ...draft, entity: e.target.value })}>
          <option value="">{t('all')}</option>
          {ENTITIES.map((e) => <option key={e} value={e}>{e}</option>)}
        </Select>
        <Select label={t('filterActor')} value={draft.actor} onChange={(e) => setDraft({ ...draft, actor: e.target.value })}>
          <option value="">{t('all')}</option>
          {(members.data ?? []).map((m) => <option key={m.id} value={m.id}>{personName(m)}</option>)}
        </Select>
        <Field label={t('filterFrom')} type="date" value={draft.from} onChange={(e) => setDraft({ ...draft, from: e.target.value })} />
        <Field label={t('filterTo')} type="date" value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.target.value })} />
        <div className="mg-filters__actions">
          <Button type="submit">{t('applyFilters')}</Button>
          <Button tone="ghost" onClick={() => {
            setDraft(EMPTY);
            setFilters(EMPTY);
            setPage(1);
          }}>{t('resetFilters')}</Button>
        </div>
        <p id="action-hint" className="sq-field__hint mg-filters__hint">{t('filterActionHint')}</p>
      </form>

      {log.failure && <Banner>{log.failure.message}</Banner>}
      <Card title={t('auditEntries', { count: formatNumber(lang, log.data?.count ?? 0) })}>
        <TableWrap label={t('navAudit')}>
          <table className="mg-table mg-table--dense">
            <caption className="sq-visually-hidden">{t('navAudit')}</caption>
            <thead>
              <tr><th scope="col">#</th><th scope="col">{t('colWhen')}</th><th scope="col">{t('colAction')}</th><th scope="col">{t('colEntity')}</th><th scope="col">{t('colActor')}</th><th scope="col">{t('colDetails')}</th></tr>
            </thead>
            <tbody>
              {log.data?.results.length === 0 && <tr><td colSpan={6} className="mg-empty">{t('noAudit')}</td></tr>}
              {log.data?.results.map((entry) => <AuditRow key={entry.id} entry={entry} />)}
            </tbody>
          </table>
        </TableWrap>
        <Pager page={page} pages={pages} onPage={setPage} failure={log.failure} />
      </Card>
    </>
  );
}

function AuditRow({ entry }: Readonly<{ entry: Entry }>) {
  const { t, lang } = useT();
  const actor = entry.actor_email ?? (entry.actor_device ? t('actorDevice', { id: shortId(entry.actor_device) }) : t('actorSystem'));
  return (
    <tr data-action={entry.action}>
      <td dir="ltr">{entry.seq}</td>
      <td>{formatDateTime(lang, entry.created_at)}</td>
      <th scope="row" dir="ltr" className="mg-action">{entry.action}</th>
      <td dir="ltr">{entry.entity} <span className="mg-muted">{shortId(entry.entity_id)}</span></td>
      <td dir="ltr">{actor}{entry.ip && <span className="mg-muted mg-block">{entry.ip}</span>}</td>
      <td>
        <details className="mg-details">
          <summary>{t('showDetails')}</summary>
          <dl>
            {entry.endpoint && <><dt>{t('endpoint')}</dt><dd dir="ltr">{entry.endpoint}</dd></>}
            {entry.before !== null && <><dt>{t('before')}</dt><dd><pre dir="ltr">{JSON.stringify(entry.before, null, 2)}</pre></dd></>}
            {entry.after !== null && <><dt>{t('after')}</dt><dd><pre dir="ltr">{JSON.stringify(entry.after, null, 2)}</pre></dd></>}
            <dt>{t('hash')}</dt><dd dir="ltr" className="mg-hash">{entry.hash}</dd>
          </dl>
        </details>
      </td>
    </tr>
  );
}

function Pager({ page, pages, onPage, failure }: Readonly<{ page: number; pages: number; onPage: (page: number) => void; failure: Failure | null }>) {
  const { t } = useT();
  if (failure) return null;
  return (
    <nav className="mg-pager" aria-label={t('pagination')}>
      <Button tone="ghost" disabled={page <= 1} onClick={() => onPage(page - 1)}>{t('previousPage')}</Button>
      <span aria-live="polite">{t('pageOf', { page, pages })}</span>
      <Button tone="ghost" disabled={page >= pages} onClick={() => onPage(page + 1)}>{t('nextPage')}</Button>
    </nav>
  );
}
