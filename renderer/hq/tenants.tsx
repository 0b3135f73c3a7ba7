import { Badge, Button } from '../shared/ui.tsx';
import { LoadState, Section, useHq, useLoad, useT } from './context.tsx';

/** Every tenant of the platform (super-admins only). */
export function TenantsPage() {
  const { api, store } = useHq();
  const { t } = useT();
  const list = useLoad(() => api.call('listTenants', { query: { page_size: 100 } }), [api]);
  return (
    <Section title={t('tenantsTitle')}>
      <LoadState state={list}>
        <div className="mg-table-wrap">
          <table className="mg-table">
            <thead><tr><th scope="col">{t('name')}</th><th scope="col">{t('slug')}</th><th scope="col">{t('plan')}</th><th scope="col">{t('retentionDays')}</th><th scope="col">{t('state')}</th><th scope="col"><span className="mg-muted">{t('open')}</span></th></tr></thead>
            <tbody>
              {list.data?.results.map((row) => (
                <tr key={row.id}>
                  <th scope="row">{row.name}</th><td>{row.slug}</td><td>{row.plan}</td><td>{row.data_retention_days}</td>
                  <td><Badge tone={row.is_active ? 'ok' : 'warn'}>{row.is_active ? t('active') : t('suspended')}</Badge></td>
                  <td><Button tone="ghost" onClick={() => store.chooseTenant(row.slug)}>{t('open')}</Button></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </LoadState>
    </Section>
  );
}
