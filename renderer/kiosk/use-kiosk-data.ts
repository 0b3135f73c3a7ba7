import { useCallback, useEffect, useRef, useState } from 'react';
import type { KioskDto } from '../../branch-server/contract/kiosks.contract.ts';
import type { QueueDto } from '../../branch-server/contract/queues.contract.ts';
import type { ApiClient } from '../shared/api.ts';
import type { DeviceIdentity } from '../shared/device.ts';

export type KioskData = Readonly<{
  config: KioskDto | null;
  /** The services offered, in the kiosk's order, with live waiting counts and ETA. */
  services: readonly QueueDto[];
  site: string | null;
  state: 'loading' | 'ready' | 'error';
  refresh: () => Promise<void>;
}>;

async function loadConfig(api: ApiClient, identity: DeviceIdentity): Promise<KioskDto> {
  if (identity.kioskId) return api.call('getKiosk', { params: { id: identity.kioskId } });
  // A provisioning link may carry only the key: a kiosk device lists exactly its own kiosk.
  const own = await api.call('listKiosks', { query: { page_size: 1 } });
  const first = own.results[0];
  if (!first) throw new Error('This device is not bound to a kiosk.');
  return first;
}

/**
 * The kiosk's configuration and its services, refreshed every `refreshMs`: the counts stay current,
 * and a revoked key is noticed even when nobody touches the screen.
 */
export function useKioskData(api: ApiClient, identity: DeviceIdentity, refreshMs: number): KioskData {
  const [config, setConfig] = useState<KioskDto | null>(null);
  const [services, setServices] = useState<readonly QueueDto[]>([]);
  const [state, setState] = useState<KioskData['state']>('loading');
  const mounted = useRef(true);

  const refresh = useCallback(async () => {
    try {
      const [kiosk, queues] = await Promise.all([loadConfig(api, identity), api.call('listQueues', { query: { page_size: 100 } })]);
      if (!mounted.current) return;
      const byId = new Map(queues.results.map((q) => [q.id, q]));
      setConfig(kiosk);
      setServices(kiosk.queue_ids.flatMap((id) => byId.get(id) ?? []));
      setState('ready');
    } catch {
      if (mounted.current) setState('error');
    }
  }, [api, identity]);

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  useEffect(() => {
    const timer = setInterval(() => void refresh(), refreshMs);
    return () => clearInterval(timer);
  }, [refresh, refreshMs]);

  const site = services[0]?.site_name ?? null;
  return { config, services, site, state, refresh };
}
