import type { DeviceAlert } from '../../sync/protocol/messages.ts';
import { MAX_DEVICE_ALERTS } from '../../sync/protocol/messages.ts';
import { lastSeenByConfig, ONLINE_WINDOW_MS } from '../db/repositories/device-config.repository.ts';
import { qb, type Db } from '../db/sqlite.ts';

/**
 * The printers and displays of this branch that need staff now, for HQ (reported with each sync ack).
 * A printer: its last status read said cover open, out of paper, offline, error, or paper running
 * low (never read is not a fault). A display: a paired screen was seen, but not within the online
 * window (one never installed is not a fault either).
 */
export function deviceAlerts(db: Db, now: number): DeviceAlert[] {
  const alerts: DeviceAlert[] = [];
  const printers = db.all(qb.selectFrom('printer').select(['id', 'name', 'status', 'online', 'paper', 'last_error', 'last_seen_at']).orderBy('name').orderBy('id'));
  for (const p of printers) {
    // The cause first: a printer out of paper or with its cover open also answers "offline" to DLE EOT 1.
    const condition: DeviceAlert['condition'] | null = p.status === 'cover-open' ? 'cover-open'
      : p.paper === 'out' || p.status === 'paper-out' ? 'paper-out'
        : p.online === 0 || p.status === 'offline' ? 'offline'
          : p.status === 'error' ? 'error'
            : p.paper === 'near-end' ? 'paper-near-end' : null;
    if (condition) alerts.push({ kind: 'printer', id: p.id, name: p.name.slice(0, 200), condition, detail: p.last_error.slice(0, 300), since: p.last_seen_at });
  }
  const displays = db.all(qb.selectFrom('display').select(['id', 'name', 'last_seen_at']).orderBy('name').orderBy('id'));
  const seen = lastSeenByConfig(db, 'display_id', displays.map((d) => d.id));
  for (const d of displays) {
    const last = Math.max(d.last_seen_at ?? 0, seen.get(d.id) ?? 0);
    if (last > 0 && now - last >= ONLINE_WINDOW_MS) alerts.push({ kind: 'display', id: d.id, name: d.name.slice(0, 200), condition: 'offline', detail: '', since: last });
  }
  return alerts.slice(0, MAX_DEVICE_ALERTS);
}
