import { useCallback, useEffect, useMemo, useState } from 'react';
import { deviceApi, forgetDevice, loadDevice, type DeviceIdentity } from '../shared/device.ts';
import { LANGUAGES, useI18n, type Language } from '../shared/i18n.tsx';
import { FeedbackFlow } from './feedback-flow.tsx';
import type { KioskKey } from './i18n.ts';
import { PairingScreen } from './pairing-screen.tsx';
import type { KioskSettings } from './settings.ts';
import { TicketFlow } from './ticket-flow.tsx';
import { useKioskData } from './use-kiosk-data.ts';

/** A stored key is used only if it is a kiosk's (a display's key pasted here would fail every call). */
function kioskIdentity(identity: DeviceIdentity | null): DeviceIdentity | null {
  if (!identity || !identity.key || !identity.tenant) return null;
  if (identity.type && identity.type !== 'kiosk') {
    forgetDevice();
    return null;
  }
  return identity;
}

/** Paired: the customer flows. Not paired, or the key was revoked: the pairing screen. */
export function KioskApp({ settings }: Readonly<{ settings: KioskSettings }>) {
  const { t } = useI18n<KioskKey>();
  const [identity, setIdentity] = useState<DeviceIdentity | null>(() => kioskIdentity(loadDevice()));
  const [revoked, setRevoked] = useState(false);

  useEffect(() => {
    document.title = t('pageTitle');
  }, [t]);

  const onRevoked = useCallback(() => {
    setRevoked(true);
    setIdentity(null);
  }, []);

  if (!identity) return <PairingScreen revoked={revoked} onPaired={(paired) => { setRevoked(false); setIdentity(paired); }} />;
  return <PairedKiosk key={identity.key} identity={identity} settings={settings} onRevoked={onRevoked} />;
}

function PairedKiosk(props: Readonly<{ identity: DeviceIdentity; settings: KioskSettings; onRevoked: () => void }>) {
  const { identity, settings, onRevoked } = props;
  const api = useMemo(() => deviceApi(identity, onRevoked), [identity, onRevoked]);
  const data = useKioskData(api, identity, settings.refreshMs);
  const { setLang } = useI18n<KioskKey>();

  // The kiosk's own languages, French first when offered; the UI speaks only fr, en and ar.
  const languages = useMemo<readonly Language[]>(() => {
    const offered = (data.config?.languages ?? [...LANGUAGES]).filter((l): l is Language => (LANGUAGES as readonly string[]).includes(l));
    return offered.length > 0 ? offered : [...LANGUAGES];
  }, [data.config]);
  const defaultLang: Language = languages.includes('fr') ? 'fr' : languages[0] ?? 'fr';

  // Every customer starts in the default language, whatever the last one chose before the page reloaded.
  useEffect(() => {
    setLang(defaultLang);
  }, [defaultLang, setLang]);

  const flow = { api, data, settings, languages, defaultLang };
  return settings.mode === 'feedback' ? <FeedbackFlow {...flow} /> : <TicketFlow {...flow} />;
}
