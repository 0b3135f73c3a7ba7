import { useEffect, useMemo, useState, useSyncExternalStore, type ReactNode } from 'react';
import { routes } from '../../branch-server/contract/index.ts';
import type { ApiClient } from '../shared/api.ts';
import { LanguageSwitch } from '../shared/language-switch.tsx';
import { Button } from '../shared/ui.tsx';
import { AuditSection } from './audit.tsx';
import { BoardSection } from './board.tsx';
import { ManagerProvider, type Manager } from './context.tsx';
import { CustomersSection } from './customers.tsx';
import { DevicesSection } from './devices.tsx';
import { DisplaysSection, KiosksSection } from './screens.tsx';
import type { ManagerKey } from './i18n.ts';
import { ConfirmProvider, ToastProvider, useT } from './kit.tsx';
import { LoginScreen, TenantChooser } from './login.tsx';
import { PrintersSection } from './printers.tsx';
import { QueuesSection } from './queues.tsx';
import { ReportSection } from './report.tsx';
import { ServicesSection } from './services.tsx';
import { consoleMemberships, scopesOf, SessionStore } from './session.ts';
import { SiteSection } from './site.tsx';
import { StaffSection } from './staff.tsx';
import { SyncSection } from './sync.tsx';
import { TemplatesSection } from './templates.tsx';
import { WebhooksSection } from './webhooks.tsx';
import { NotificationsSection } from './notifications.tsx';

export const SECTIONS = ['board', 'report', 'site', 'services', 'queues', 'staff', 'displays', 'kiosks', 'printers', 'devices', 'templates', 'notifications', 'customers', 'webhooks', 'sync', 'audit'] as const;
export type Section = (typeof SECTIONS)[number];

const GROUPS: readonly { label: ManagerKey; sections: readonly Section[] }[] = [
  { label: 'navGroupOperate', sections: ['board', 'report'] },
  { label: 'navGroupConfigure', sections: ['site', 'services', 'queues', 'staff', 'displays', 'kiosks', 'printers', 'devices', 'templates', 'notifications'] },
  { label: 'navGroupControl', sections: ['customers', 'webhooks', 'sync', 'audit'] },
];

const LABELS: Readonly<Record<Section, ManagerKey>> = {
  board: 'navBoard', report: 'navReport', site: 'navSite', services: 'navServices', queues: 'navQueues', staff: 'navStaff',
  displays: 'navDisplays', kiosks: 'navKiosks', printers: 'navPrinters', devices: 'navDevices', templates: 'navTemplates', notifications: 'navNotifications', customers: 'navCustomers', webhooks: 'navWebhooks', sync: 'navSync',
  audit: 'navAudit',
};

function sectionFromHash(): Section {
  const name = window.location.hash.replace(/^#\/?/, '').split(/[/?]/)[0] ?? '';
  return (SECTIONS as readonly string[]).includes(name) ? (name as Section) : 'board';
}

/** `#/board`, `#/queues`…: a reload or a bookmark opens the same section. */
function useHashSection(): Section {
  const [section, setSection] = useState(sectionFromHash);
  useEffect(() => {
    const onChange = () => setSection(sectionFromHash());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return section;
}

const store = new SessionStore();

export function App() {
  const session = useSyncExternalStore(store.subscribe, store.get);
  if (!session) return <LoginScreen store={store} />;
  if (!session.tenant || !consoleMemberships(session.user).some((m) => m.tenant === session.tenant)) {
    return <TenantChooser store={store} session={session} />;
  }
  return <Console />;
}

function Console() {
  const session = useSyncExternalStore(store.subscribe, store.get)!;
  const tenant = session.tenant!;
  const api = useMemo(() => store.api(tenant), [tenant]);
  const scopes = scopesOf(session);
  const hqManaged = useHqManaged(api, tenant);
  const manager: Manager = {
    api, session, store, tenant, hqManaged,
    can: (scope) => scopes.has(scope),
    hqOwns: (route) => hqManaged && (routes[route] as { hqOwned?: boolean }).hqOwned === true,
  };
  return (
    <ManagerProvider value={manager}>
      <ToastProvider>
        <ConfirmProvider>
          <Shell />
        </ConfirmProvider>
      </ToastProvider>
    </ManagerProvider>
  );
}

/**
 * Whether this branch is enrolled in the signed-in tenant (sync status), so HQ owns its
 * configuration. Read at sign-in (enrolling ends the session) and every minute; false until known.
 */
function useHqManaged(api: ApiClient, tenant: string): boolean {
  const [managed, setManaged] = useState(false);
  useEffect(() => {
    let stopped = false;
    const check = () => api.call('syncStatus').then(
      (status) => !stopped && setManaged(status.state !== 'not_enrolled' && status.tenant?.slug === tenant),
      () => undefined, // unknown: the server still refuses an HQ-owned change with its message
    );
    void check();
    const timer = setInterval(() => void check(), 60_000);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [api, tenant]);
  return managed;
}

function Shell() {
  const { t } = useT();
  const section = useHashSection();
  const session = useSyncExternalStore(store.subscribe, store.get)!;
  const membership = session.user.memberships.find((m) => m.tenant === session.tenant);
  const several = consoleMemberships(session.user).length > 1;
  const userName = `${session.user.first_name} ${session.user.last_name}`.trim() || session.user.email;

  useEffect(() => {
    document.title = `${t(LABELS[section])} — ${t('appTitle')}`;
  }, [section, t]);

  return (
    <div className="mg-shell">
      {/* The hash holds the section: the skip link moves focus without touching it. */}
      <a className="mg-skip" href="#main" onClick={(e) => {
        e.preventDefault();
        document.getElementById('main')?.focus();
      }}>{t('skipToContent')}</a>
      <header className="mg-top">
        <div className="mg-top__brand">
          <span className="mg-brand">SmartQueue</span>
          <span className="mg-top__tenant">{membership?.tenant_name}</span>
        </div>
        <div className="mg-top__tools">
          <LanguageSwitch label={t('language')} />
          <span className="mg-top__user">
            <strong>{userName}</strong>
            <span className="mg-muted">{t(membership?.role === 'admin' ? 'roleAdmin' : 'roleManager')}</span>
          </span>
          {several && <Button tone="ghost" onClick={() => store.chooseTenant(null)}>{t('switchTenant')}</Button>}
          <Button tone="ghost" onClick={() => void store.logout()}>{t('logout')}</Button>
        </div>
      </header>
      <nav className="mg-nav" aria-label={t('navLabel')}>
        {GROUPS.map((group) => (
          <div key={group.label} className="mg-nav__group">
            <p className="mg-nav__label">{t(group.label)}</p>
            <ul>
              {group.sections.map((name) => (
                <li key={name}>
                  <a href={`#/${name}`} aria-current={name === section ? 'page' : undefined} className={name === section ? 'is-current' : ''}>
                    {t(LABELS[name])}
                  </a>
                </li>
              ))}
            </ul>
          </div>
        ))}
      </nav>
      <main id="main" className="mg-main" tabIndex={-1}>
        <SectionView key={section} section={section} />
      </main>
    </div>
  );
}

function SectionView({ section }: Readonly<{ section: Section }>): ReactNode {
  switch (section) {
    case 'board': return <BoardSection />;
    case 'report': return <ReportSection />;
    case 'site': return <SiteSection />;
    case 'services': return <ServicesSection />;
    case 'queues': return <QueuesSection />;
    case 'staff': return <StaffSection />;
    case 'displays': return <DisplaysSection />;
    case 'kiosks': return <KiosksSection />;
    case 'printers': return <PrintersSection />;
    case 'devices': return <DevicesSection />;
    case 'templates': return <TemplatesSection />;
    case 'notifications': return <NotificationsSection />;
    case 'customers': return <CustomersSection />;
    case 'webhooks': return <WebhooksSection />;
    case 'sync': return <SyncSection />;
    case 'audit': return <AuditSection />;
  }
}

