import { useState, type FormEvent } from 'react';
import { QrCode } from '../shared/qr-code.tsx';
import { Badge, Banner, Button, Card, Field, Select } from '../shared/ui.tsx';
import { StateBadge } from './branches.tsx';
import { formatDateTime, LoadState, Section, useHq, useLoad, useT } from './context.tsx';
import type { HqKey } from './i18n.ts';

const STATUS_KEY = { active: 'tokenActive', used: 'tokenUsed', expired: 'tokenExpired', revoked: 'tokenRevoked' } as const satisfies Record<string, HqKey>;

export function EnrollPage() {
  const { api } = useHq();
  const { t, lang } = useT();
  const [version, setVersion] = useState(0);
  const [fresh, setFresh] = useState<{ token: string; site_name: string; expires_at: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const data = useLoad(async () => {
    const [sites, tokens, branches] = await Promise.all([
      api.call('listSites', { query: { page_size: 100 } }),
      api.call('listEnrollTokens', { query: { page_size: 50 } }),
      api.call('listBranches', { query: { page_size: 100 } }),
    ]);
    return { sites: sites.results, tokens: tokens.results, branches: branches.results };
  }, [api, version]);

  const create = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    try {
      const made = await api.call('createEnrollToken', { body: { site: String(form.get('site')), ttl_hours: Number(form.get('ttl') || 168) } });
      setFresh({ token: made.token, site_name: made.site_name, expires_at: made.expires_at });
      setError(null);
      setVersion((v) => v + 1);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const act = async (fn: () => Promise<unknown>, confirmText?: string) => {
    if (confirmText && !window.confirm(confirmText)) return;
    try {
      await fn();
      setError(null);
      setVersion((v) => v + 1);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const d = data.data;
  return (
    <Section title={t('enrollTitle')} lead={t('enrollLead')}>
      {error && <Banner>{error}</Banner>}
      <LoadState state={data}>
        {d && (
          <>
            <div className="hq-two">
              <Card title={t('newToken')}>
                <form className="mg-form" onSubmit={create}>
                  <Select label={t('site')} name="site" required>{d.sites.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}</Select>
                  <Field label={t('ttlHours')} name="ttl" type="number" min={1} max={720} defaultValue={168} />
                  <Button type="submit">{t('create')}</Button>
                </form>
              </Card>
              {fresh && (
                <Card title={`${t('tokenCode')} · ${fresh.site_name}`} className="hq-token">
                  <Banner tone="warn">{t('tokenOnce')}</Banner>
                  <p><code id="hq-token-code" className="hq-token__code">{fresh.token}</code></p>
                  <QrCode text={fresh.token} label={t('tokenQr')} size={180} />
                  <p className="mg-muted">{t('expiresAt', { date: formatDateTime(fresh.expires_at, lang) })}</p>
                </Card>
              )}
            </div>
            <h2 className="mg-h2">{t('tokens')}</h2>
            <div className="mg-table-wrap">
              <table className="mg-table" id="hq-tokens">
                <thead><tr><th scope="col">{t('site')}</th><th scope="col">{t('status')}</th><th scope="col">{t('expiresAt', { date: '' })}</th><th scope="col"><span className="mg-muted">{t('revoke')}</span></th></tr></thead>
                <tbody>
                  {d.tokens.map((tok) => (
                    <tr key={tok.id}>
                      <th scope="row">{tok.site_name}</th>
                      <td><Badge tone={tok.status === 'active' ? 'ok' : 'neutral'}>{t(STATUS_KEY[tok.status])}</Badge></td>
                      <td>{formatDateTime(tok.expires_at, lang)}</td>
                      <td>{tok.status === 'active' && <Button tone="ghost" onClick={() => void act(() => api.call('revokeEnrollToken', { params: { id: tok.id } }))}>{t('revoke')}</Button>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <h2 className="mg-h2">{t('branchesDevices')}</h2>
            <div className="mg-table-wrap">
              <table className="mg-table" id="hq-devices">
                <thead><tr><th scope="col">{t('device')}</th><th scope="col">{t('site')}</th><th scope="col">{t('state')}</th><th scope="col"><span className="mg-muted">{t('revoke')}</span></th></tr></thead>
                <tbody>
                  {d.branches.map((b) => (
                    <tr key={b.id}>
                      <th scope="row">{b.name}</th><td>{b.site_name}</td>
                      <td><StateBadge state={b.revoked ? 'revoked' : b.online ? 'online' : 'offline'} /></td>
                      <td>{!b.revoked && <Button tone="danger" onClick={() => void act(() => api.call('revokeBranch', { params: { id: b.id } }), t('confirmRevoke', { name: b.name }))}>{t('revoke')}</Button>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </LoadState>
    </Section>
  );
}
