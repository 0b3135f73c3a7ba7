import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { useI18n } from '../shared/i18n.tsx';
import { LanguageSwitch } from '../shared/language-switch.tsx';
import { Banner, Button, Field } from '../shared/ui.tsx';
import { errorMessage, retryAfterOf } from './errors.ts';
import type { AgentKey } from './i18n.ts';
import { sessions, type Session, type SignedOutReason } from './session.ts';

function Brand() {
  const { t } = useI18n<AgentKey>();
  return (
    <p className="desk-brand">
      <span className="desk-brand__mark" aria-hidden="true">SQ</span>
      <span>SmartQueue <span className="desk-brand__app">{t('appTitle')}</span></span>
    </p>
  );
}

/** The centred panel of the screens before the desk (sign-in, organisation, no profile). */
export function GatePanel({ title, intro, children, signedIn = false }: Readonly<{ title: string; intro?: string; children: ReactNode; signedIn?: boolean }>) {
  const { t } = useI18n<AgentKey>();
  return (
    <div className="desk-gate">
      <header className="desk-gate__top">
        <Brand />
        <div className="desk-gate__tools">
          <LanguageSwitch label={t('language')} />
          {signedIn && <Button tone="ghost" onClick={() => void sessions.logout()}>{t('logout')}</Button>}
        </div>
      </header>
      <main className="desk-gate__main">
        <section className="desk-gate__panel" aria-labelledby="gate-title">
          <h1 id="gate-title">{title}</h1>
          {intro && <p className="desk-gate__intro">{intro}</p>}
          {children}
        </section>
      </main>
    </div>
  );
}

export function LoginPage({ reason }: Readonly<{ reason: SignedOutReason }>) {
  const { t } = useI18n<AgentKey>();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [waitUntil, setWaitUntil] = useState<number | null>(null);
  const [now, setNow] = useState(() => Date.now());

  useEffect(() => {
    document.title = `${t('loginTitle')} — SmartQueue`;
  }, [t]);
  useEffect(() => {
    if (waitUntil === null) return;
    const timer = setInterval(() => {
      setNow(Date.now());
      if (Date.now() >= waitUntil) setWaitUntil(null);
    }, 1000);
    return () => clearInterval(timer);
  }, [waitUntil]);

  const remaining = waitUntil === null ? 0 : Math.max(0, Math.ceil((waitUntil - now) / 1000));
  const [tried, setTried] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (!email.trim() || !password) return;
    setBusy(true);
    setError(null);
    try {
      await sessions.login(email.trim(), password);
    } catch (caught) {
      setError(caught);
      const wait = retryAfterOf(caught);
      if (wait !== null) {
        setNow(Date.now());
        setWaitUntil(Date.now() + wait * 1000);
      }
      setPassword('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <GatePanel title={t('loginTitle')} intro={t('loginIntro')}>
      {reason === 'ended' && !error && <Banner tone="warn">{t('sessionEnded')}</Banner>}
      {reason === 'logout' && !error && <Banner tone="info">{t('loggedOut')}</Banner>}
      {error !== null && <Banner>{errorMessage(t, error)}</Banner>}
      <form className="desk-login" onSubmit={submit} noValidate>
        <Field label={t('email')} type="email" name="email" autoComplete="username" required value={email} autoFocus
          onChange={(e) => setEmail(e.target.value)} error={tried && !email.trim() ? t('emailRequired') : null} />
        <Field label={t('password')} type="password" name="password" autoComplete="current-password" required value={password}
          onChange={(e) => setPassword(e.target.value)} error={tried && !password && error === null ? t('passwordRequired') : null} />
        <Button type="submit" size="lg" className="desk-login__submit" disabled={busy || remaining > 0}>
          {busy ? t('signingIn') : t('signIn')}
        </Button>
        {remaining > 0 && <p className="desk-login__wait" role="status">{t('retryIn', { s: remaining })}</p>}
      </form>
    </GatePanel>
  );
}

export function TenantChoice({ session }: Readonly<{ session: Session }>) {
  const { t } = useI18n<AgentKey>();
  const memberships = session.user.memberships;
  if (memberships.length === 0) {
    return (
      <GatePanel title={t('chooseTenantTitle')} signedIn>
        <Banner tone="warn">{t('noMembership')}</Banner>
      </GatePanel>
    );
  }
  return (
    <GatePanel title={t('chooseTenantTitle')} intro={t('chooseTenantIntro')} signedIn>
      <ul className="desk-tenants">
        {memberships.map((m) => (
          <li key={m.tenant}>
            <button type="button" className="desk-tenants__btn" onClick={() => sessions.chooseTenant(m.tenant)}>
              <strong>{m.tenant_name}</strong>
              <span>{t(`role_${m.role}`)}</span>
            </button>
          </li>
        ))}
      </ul>
    </GatePanel>
  );
}
