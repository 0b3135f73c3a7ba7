import { useState, type FormEvent } from 'react';
import type { z } from 'zod';
import type { HqAuditListQuery, HqAuditVerifyDto } from '../../sync/protocol/hq-data.contract.ts';
import { Badge, Banner, Button, Field, Select } from '../shared/ui.tsx';
import { formatDateTime, LoadState, Section, useHq, useLoad, useT } from './context.tsx';

type Query = z.input<typeof HqAuditListQuery>;

export function AuditPage() {
  const { api } = useHq();
  const { t, lang } = useT();
  const [query, setQuery] = useState<Query>({ page_size: 50 });
  const [verify, setVerify] = useState<z.output<typeof HqAuditVerifyDto> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const sites = useLoad(() => api.call('listSites', { query: { page_size: 100 } }), [api]);
  const rows = useLoad(() => api.call('listAuditLogs', { query }), [api, JSON.stringify(query)]);
  const search = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const f = new FormData(event.currentTarget);
    const v = (name: string) => String(f.get(name) ?? '').trim() || undefined;
    const day = (name: string, end = false) => (v(name) ? new Date(`${v(name)}T00:00:00`).getTime() + (end ? 86_400_000 : 0) : undefined);
    const after = day('from');
    const before = day('to', true);
    setQuery({
      page_size: 50, site: v('site'), actor: v('actor'), action: v('action'), entity: v('entity'),
      created_after: after === undefined ? undefined : new Date(after).toISOString(),
      created_before: before === undefined ? undefined : new Date(before).toISOString(),
    });
  };
  const runVerify = async () => {
    try {
      setVerify(await api.call('verifyAuditLogs', { query: {} }));
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <Section title={t('auditTitle')} lead={t('auditLead')} actions={<Button onClick={() => void runVerify()}>{t('verify')}</Button>}>
      {error && <Banner>{error}</Banner>}
      {verify && (
        <div className="hq-verify" id="hq-verify">
          <Banner tone={verify.ok ? 'ok' : 'danger'}>{verify.ok ? t('allChainsOk', { rows: verify.rows }) : t('someChainBroken', { seq: verify.broken_at_seq ?? '?' })}</Banner>
          <ul className="hq-chains">
            {verify.branches.map((b) => (
              <li key={b.branch} data-ok={b.ok}>
                <Badge tone={b.ok ? 'ok' : 'danger'}>{b.name}</Badge>{' '}
                {b.ok ? t('chainOk', { rows: b.rows }) : t('chainBroken', { seq: b.broken_at_seq ?? '?', id: b.broken_id ?? '?', reason: b.reason ?? '' })}
              </li>
            ))}
          </ul>
        </div>
      )}
      <form className="mg-filters hq-filters" onSubmit={search} aria-label={t('search')}>
        <Select label={t('site')} name="site" defaultValue="">
          <option value="">{t('all')}</option>
          {sites.data?.results.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
        </Select>
        <Field label={t('actor')} name="actor" type="search" />
        <Field label={t('action')} name="action" type="search" placeholder="ticket." />
        <Field label={t('entity')} name="entity" type="search" />
        <Field label={t('from')} name="from" type="date" />
        <Field label={t('to')} name="to" type="date" />
        <div className="mg-filters__actions"><Button type="submit">{t('search')}</Button></div>
      </form>
      <LoadState state={rows}>
        <div className="mg-table-wrap">
          <table className="mg-table mg-table--dense" id="hq-audit">
            <thead><tr><th scope="col">{t('when')}</th><th scope="col">{t('site')}</th><th scope="col">{t('actor')}</th><th scope="col">{t('action')}</th><th scope="col">{t('entity')}</th><th scope="col">#</th></tr></thead>
            <tbody>
              {rows.data?.results.map((r) => (
                <tr key={r.id}>
                  <td>{formatDateTime(r.created_at, lang)}</td>
                  <td>{sites.data?.results.find((s) => s.id === r.site)?.name ?? r.site}</td>
                  <td>{r.actor_email ?? r.actor_user ?? r.actor_device ?? '–'}</td>
                  <th scope="row">{r.action}</th>
                  <td>{r.entity} <span className="mg-muted">{r.entity_id}</span></td>
                  <td>{r.seq}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {rows.data?.results.length === 0 && <p className="mg-empty">{t('none')}</p>}
        </div>
      </LoadState>
    </Section>
  );
}
