import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nProvider } from '../shared/i18n.tsx';
import { DeskPage } from './desk-page.tsx';
import { dictionary } from './i18n.ts';
import { LoginPage, TenantChoice } from './login-page.tsx';
import { useSession } from './session.ts';
import './agent.css';

/** Sign-in, then the organisation (when there are several), then the desk. */
function AgentApp() {
  const { session, reason } = useSession();
  if (!session) return <LoginPage reason={reason} />;
  if (!session.tenant) return <TenantChoice session={session} />;
  return <DeskPage key={`${session.user.id}:${session.tenant}`} session={session} />;
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <I18nProvider dictionary={dictionary}>
      <AgentApp />
    </I18nProvider>
  </StrictMode>,
);
