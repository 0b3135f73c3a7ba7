import type { Actor } from '../../branch-server/db/repositories/audit.repository.ts';
import { onOutboxCommitted } from '../../branch-server/db/repositories/outbox.repository.ts';
import { getSyncState, setSyncState } from '../../branch-server/db/repositories/sync-state.repository.ts';
import type { Db } from '../../branch-server/db/sqlite.ts';
import { DomainError } from '../../branch-server/domain/errors.ts';
import { SyncClient, SyncFailure, type EnrollResult, type SyncClientOptions, type SyncStatus } from './sync-client.ts';
import { httpTransport, type SyncTransport } from './transport.ts';
import { PublicRelay } from './public-relay.ts';

export type BranchSyncOptions = Readonly<{
  db: Db;
  now: () => number;
  appVersion: string;
  schemaVersion: number;
  deviceName?: string;
  /** How to reach a cloud URL; real HTTP by default. */
  transportFor?: (cloudUrl: string) => SyncTransport;
  /** Loop timings and batch sizes (SyncClient defaults otherwise). */
  loop?: Partial<Pick<SyncClientOptions, 'intervalMs' | 'nudgeDelayMs' | 'backoffBaseMs' | 'backoffCapMs' | 'watchdogMs' | 'batchRows' | 'pullLimit'>>;
  /** Crash drills: called at the client's named crash points (CLIENT_FAULT_POINTS). */
  faults?: SyncClientOptions['faults'];
  /** The newest verified backup, reported to HQ. */
  backupStatus?: SyncClientOptions['backupStatus'];
  /** Printer and display alerts, reported to HQ. */
  deviceAlerts?: SyncClientOptions['deviceAlerts'];
  logger?: SyncClientOptions['logger'];
}>;

/**
 * The sync client as the branch server runs it: one loop while enrolled, woken after every commit
 * that wrote outbox rows, enrollment from the CLI or the manager console.
 */
export class BranchSync {
  readonly #options: BranchSyncOptions;
  #client: SyncClient;
  #running = false;
  #unsubscribe: (() => void) | null = null;
  #localUrl: string | null = null;
  #relay: PublicRelay | null = null;

  constructor(options: BranchSyncOptions) {
    this.#options = options;
    this.#client = this.#clientFor(getSyncState(options.db, 'cloud_url'));
  }

  get enrolled(): boolean {
    return this.#client.enrolled;
  }

  /** The client in use (tests and the simulation harness drive it directly). */
  get client(): SyncClient {
    return this.#client;
  }

  #clientFor(cloudUrl: string | null): SyncClient {
    const { loop, transportFor } = this.#options;
    const transport: SyncTransport = cloudUrl
      ? (transportFor ?? ((url) => httpTransport(url, { timeoutMs: 30_000, schemaVersion: this.#options.schemaVersion })))(cloudUrl)
      : () => Promise.reject(new Error('No cloud URL is configured.'));
    return new SyncClient({
      db: this.#options.db, transport, now: this.#options.now, appVersion: this.#options.appVersion,
      schemaVersion: this.#options.schemaVersion, ...(cloudUrl ? { cloudUrl } : {}),
      ...(this.#options.deviceName ? { deviceName: this.#options.deviceName } : {}), ...loop,
      ...(this.#options.faults ? { faults: this.#options.faults } : {}),
      ...(this.#options.backupStatus ? { backupStatus: this.#options.backupStatus } : {}),
      ...(this.#options.deviceAlerts ? { deviceAlerts: this.#options.deviceAlerts } : {}),
      ...(this.#options.logger ? { logger: this.#options.logger } : {}),
    });
  }

  /**
   * Starts the loop if this branch is enrolled (a no-op otherwise, until enroll()). With `localUrl`
   * (this server's own address), an enrolled branch also holds the cloud's public-page relay socket,
   * so customers reach its booking and remote-join page through the cloud.
   */
  start(options: Readonly<{ localUrl?: string }> = {}): void {
    this.#running = true;
    if (options.localUrl) this.#localUrl = options.localUrl;
    if (!this.#client.enrolled) return;
    this.#unsubscribe ??= onOutboxCommitted(this.#options.db, () => this.#client.nudge());
    this.#client.start();
    this.#startRelay();
  }

  stop(): void {
    this.#running = false;
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    this.#client.stop();
    this.#relay?.stop();
    this.#relay = null;
  }

  #startRelay(): void {
    const cloudUrl = getSyncState(this.#options.db, 'cloud_url');
    const siteId = getSyncState(this.#options.db, 'site_id');
    if (this.#relay || !this.#localUrl || !cloudUrl || !siteId || !/^https?:\/\//.test(cloudUrl)) return;
    const client = this.#client;
    this.#relay = new PublicRelay({
      cloudUrl, siteId, localUrl: this.#localUrl,
      token: (fresh) => client.accessToken({ fresh }),
    });
    this.#relay.start();
  }

  status(): SyncStatus {
    return this.#client.status();
  }

  /**
   * HQ moved: an enrolled branch follows a new cloud URL (same device, same key). Returns whether
   * anything changed.
   */
  useCloudUrl(cloudUrl: string): boolean {
    const url = normaliseUrl(cloudUrl);
    if (!this.#client.enrolled || getSyncState(this.#options.db, 'cloud_url') === url) return false;
    this.#client.stop();
    this.#relay?.stop();
    this.#relay = null;
    this.#options.db.tx(() => setSyncState(this.#options.db, 'cloud_url', url));
    this.#client = this.#clientFor(url);
    if (this.#running) this.start();
    return true;
  }

  /**
   * Enrolls with a single-use token. Allowed when not enrolled yet, or when HQ revoked this branch
   * (its sync has stopped with that error); an enrolled, working branch refuses.
   */
  async enroll(cloudUrl: string, token: string, actor?: Actor): Promise<EnrollResult> {
    const current = this.#client.status();
    if (current.state === 'enrolling') throw new DomainError('conflict', 'An enrollment is already in progress.');
    if (this.#client.enrolled && current.last_error_code !== 'device-revoked') {
      throw new DomainError('conflict', 'This branch is already enrolled. HQ must revoke it before it can be enrolled again.');
    }
    const url = normaliseUrl(cloudUrl);
    this.#client.stop();
    this.#relay?.stop();
    this.#relay = null;
    const client = this.#clientFor(url);
    this.#client = client;
    try {
      return await client.enroll(token, actor ? { actor } : {});
    } catch (error) {
      if (error instanceof SyncFailure) {
        throw new DomainError(error.code === 'enrollment-token-invalid' ? 'enrollment-token-invalid' : 'validation-failed', error.message);
      }
      throw error;
    } finally {
      if (this.#running) this.start();
    }
  }
}

function normaliseUrl(url: string): string {
  return url.trim().replace(/\/+$/, '');
}
