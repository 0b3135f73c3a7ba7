import { useEffect, useMemo, useState, useSyncExternalStore, type FormEvent } from 'react';
import { LanguageSwitch } from '../shared/language-switch.tsx';
import { Banner, Button, Field } from '../shared/ui.tsx';
import { AnalyticsPage } from './analytics.tsx';
import { AuditPage } from './audit.tsx';
import { BranchPage } from './branch-page.tsx';
import { BranchesPage } from './branches.tsx';
import { ConfigPage } from './config.tsx';
import { HqProvider, useLoad, useT, type Hq } from './context.tsx';
import { CustomersPage } from './customers.tsx';
import { EnrollPage } from './enroll.tsx';
import type { HqKey } from './i18n.ts';
import { HqSessionStore } from './session.ts';
import { TenantsPage } from './tenants.tsx';

const store = new HqSessionStore();

const PAGES = ['branches', 'branch', 'analytics', 'config', 'customers', 'enroll', 'audit', 'tenants'] as const;
type Page = (typeof PAGES)[number];

function route(): { page: Page; arg: string } {
  const [name = '', arg = ''] = window.location.hash.replace(/^#\/?/, '').split('/');
  return { page: (PAGES as readonly string[]).includes(name) ? (name as Page) : 'branches', arg };
}

function useRoute() {
  const [current, setCurrent] = useState(route);
  useEffect(() => {
    const onChange = () => setCurrent(route());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return current;
}

export function App() {
  const session = useSyncExternalStore(store.subscribe, store.get);
  if (!session) return <Login />;
  if (!session.tenant) return <TenantChooser />;
  return <Shell />;
}

function Login() {
  const { t } = useT();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      const answer = await store.api(null).call('login', { body: { email: String(form.get('email')), password: String(form.get('password')) } });
      store.signedIn(answer);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="mg-login">
      <div className="mg-login__langs"><LanguageSwitch label={t('languages')} /></div>
      <form className="mg-login__card" onSubmit={submit}>
        <p className="mg-brand">{t('brand')}</p>
        <h1>{t('signInTitle')}</h1>
        {error && <Banner>{t('signInFailed', { message: error })}</Banner>}
        <Field label={t('email')} name="email" type="email" autoComplete="username" required />
        <Field label={t('password')} name="password" type="password" autoComplete="current-password" required />
        <Button type="submit" disabled={busy}>{t('signIn')}</Button>
      </form>
    </main>
  );
}

function TenantChooser() {
  const { t } = useT();
  const session = store.get()!;
  const all = useLoad(async () => (session.user.is_super_admin
    ? (await store.api(null).call('listTenants', { query: { page_size: 100 } })).results.map((r) => ({ tenant: r.slug, tenant_name: r.name }))
    : session.user.memberships), [session.user.id]);
  return (
    <main className="mg-login">
      <div className="mg-login__card">
        <p className="mg-brand">{t('brand')}</p>
        <h1>{t('chooseTenant')}</h1>
        <ul className="mg-tenants">
          {(all.data ?? []).map((m) => (
            <li key={m.tenant}><Button tone="secondary" onClick={() => store.chooseTenant(m.tenant)}>{m.tenant_name}<span className="mg-muted">{m.tenant}</span></Button></li>
          ))}
        </ul>
        <Button tone="ghost" onClick={() => store.signOut()}>{t('signOut')}</Button>
      </div>
    </main>
  );
}

const NAV: readonly { page: Page; label: HqKey; right?: 'admin' | 'super' }[] = [
  { page: 'branches', label: 'navBranches' },
  { page: 'analytics', label: 'navAnalytics' },
  { page: 'config', label: 'navConfig' },
  { page: 'customers', label: 'navCustomers' },
  { page: 'enroll', label: 'navEnroll', right: 'admin' },
  { page: 'audit', label: 'navAudit', right: 'admin' },
  { page: 'tenants', label: 'navTenants', right: 'super' },
];

function Shell() {
  const { t } = useT();
  const session = useSyncExternalStore(store.subscribe, store.get)!;
  const tenant = session.tenant!;
  const api = useMemo(() => store.api(tenant), [tenant]);
  const rights = store.rights();
  const hq: Hq = { api, store, session, tenant, can: (right) => rights.has(right) };
  const { page, arg } = useRoute();
  const current = page === 'branch' ? 'branches' : page;
  const visible = NAV.filter((n) => !n.right || (n.right === 'super' ? session.user.is_super_admin : rights.has(n.right)));
  const switchable = session.user.is_super_admin || session.user.memberships.length > 1;
  return (
    <HqProvider value={hq}>
      <a className="mg-skip" href="#hq-main">{t('skip')}</a>
      <div className="mg-shell">
        <header className="mg-top">
          <div className="mg-top__brand">
            <p className="mg-brand">{t('brand')}</p>
            <span className="mg-top__tenant">{tenant}</span>
          </div>
          <div className="mg-top__tools">
            <LanguageSwitch label={t('languages')} />
            <span className="mg-top__user">{session.user.email}</span>
            {switchable && <Button tone="ghost" onClick={() => store.chooseTenant(null)}>{t('chooseTenant')}</Button>}
            <Button tone="ghost" onClick={() => store.signOut()}>{t('signOut')}</Button>
          </div>
        </header>
        <nav className="mg-nav" aria-label={t('navMain')}>
          <ul>
            {visible.map((n) => (
              <li key={n.page}>
                <a href={`#/${n.page}`} className={current === n.page ? 'is-current' : undefined} aria-current={current === n.page ? 'page' : undefined}>{t(n.label)}</a>
              </li>
            ))}
          </ul>
        </nav>
        <main id="hq-main" className="mg-main" tabIndex={-1}>
          {page === 'branches' && <BranchesPage />}
          {page === 'branch' && <BranchPage site={arg} />}
          {page === 'analytics' && <AnalyticsPage />}
          {page === 'config' && <ConfigPage />}
          {page === 'customers' && <CustomersPage />}
          {page === 'enroll' && <EnrollPage />}
          {page === 'audit' && <AuditPage />}
          {page === 'tenants' && <TenantsPage />}
        </main>
      </div>
    </HqProvider>
  );
}
