import { useState, type FormEvent } from 'react';
import { ApiError } from '../shared/api.ts';
import { LanguageSwitch } from '../shared/language-switch.tsx';
import { Banner, Button, Field } from '../shared/ui.tsx';
import { useT } from './kit.tsx';
import { consoleMemberships, NoConsoleAccess, type SessionStore, type StoredSession } from './session.ts';

/** Sign-in for managers and admins. */
export function LoginScreen({ store }: Readonly<{ store: SessionStore }>) {
  const { t } = useT();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await store.login(email.trim(), password);
    } catch (failure) {
      setError(failure instanceof NoConsoleAccess ? t('loginNoAccess') : failure instanceof ApiError
        ? failure.status === 429 ? t('loginRateLimited') : failure.status === 400 ? t('loginInvalidInput') : t('loginInvalid')
        : t('errNetwork'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="mg-login">
      <div className="mg-login__langs"><LanguageSwitch label={t('language')} /></div>
      <form className="mg-login__card" onSubmit={submit} noValidate>
        <p className="mg-brand">SmartQueue</p>
        <h1>{t('loginTitle')}</h1>
        <p className="mg-muted">{t('loginLead')}</p>
        {store.endReason === 'expired' && !error && <Banner tone="warn">{t('sessionExpired')}</Banner>}
        {error && <Banner>{error}</Banner>}
        <Field label={t('email')} type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
        <Field label={t('password')} type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        <Button type="submit" size="lg" disabled={busy || !email || !password}>{busy ? t('signingIn') : t('signIn')}</Button>
      </form>
    </main>
  );
}

/** A user who manages several tenants picks one (and can switch later from the header). */
export function TenantChooser({ store, session }: Readonly<{ store: SessionStore; session: StoredSession }>) {
  const { t } = useT();
  const memberships = consoleMemberships(session.user);
  return (
    <main className="mg-login">
      <div className="mg-login__langs"><LanguageSwitch label={t('language')} /></div>
      <section className="mg-login__card" aria-labelledby="tenant-title">
        <p className="mg-brand">SmartQueue</p>
        <h1 id="tenant-title">{t('chooseTenant')}</h1>
        <ul className="mg-tenants">
          {memberships.map((m) => (
            <li key={m.tenant}>
              <Button tone="secondary" size="lg" onClick={() => store.chooseTenant(m.tenant)}>
                <span>{m.tenant_name}</span>
                <span className="mg-muted">{t(m.role === 'admin' ? 'roleAdmin' : 'roleManager')}</span>
              </Button>
            </li>
          ))}
        </ul>
        <Button tone="ghost" onClick={() => void store.logout()}>{t('logout')}</Button>
      </section>
    </main>
  );
}
