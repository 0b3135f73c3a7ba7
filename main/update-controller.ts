import type { Role } from './role-config.ts';
import { decideInstall, type Activity, type InstallDecision } from './update-policy.ts';

/** The slice of electron-updater's AppUpdater the controller drives (the real one in tests too). */
export interface UpdaterLike {
  autoDownload: boolean;
  autoInstallOnAppQuit: boolean;
  on(event: 'update-downloaded', listener: (info: { version: string }) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  /** With autoDownload, the result carries the download's promise (its failure is also an 'error' event). */
  checkForUpdates(): Promise<{ downloadPromise?: Promise<unknown> | null } | null>;
}

export type UpdateControllerDeps = Readonly<{
  updater: UpdaterLike;
  role: Role;
  /** Asks the branch server what is in progress at this PC (quiet-probe.ts, or the server child). */
  probe(): Promise<Activity>;
  /** Quits and installs (electron-updater's quitAndInstall(true, true): silent, relaunch). */
  install(): void;
  setTimer(fn: () => void, ms: number): { cancel(): void };
  log(message: string): void;
  /** How often to look for an update. */
  checkEveryMs?: number;
  /** While deferred, ask the branch server again this often. */
  retryEveryMs?: number;
}>;

export const CHECK_EVERY_MS = 4 * 3_600_000;
export const RETRY_EVERY_MS = 60_000;

/**
 * Downloads updates in the background and installs one only at a quiet moment: it asks the branch
 * server, and while a ticket is called, served or paused at this PC (the whole branch, for the PC
 * that runs the server) it waits and asks again. Never installs on quit either: quitting mid-call
 * must not leave the counter without its desk while an installer runs.
 */
export class UpdateController {
  readonly #deps: UpdateControllerDeps;
  #pending: string | null = null;
  #retry: { cancel(): void } | null = null;
  #check: { cancel(): void } | null = null;
  #installed = false;
  #last: InstallDecision | null = null;

  constructor(deps: UpdateControllerDeps) {
    this.#deps = deps;
    const { updater } = deps;
    updater.autoDownload = true;
    updater.autoInstallOnAppQuit = false;
    updater.on('update-downloaded', (info) => {
      this.#pending = info.version;
      deps.log(`update ${info.version} downloaded`);
      void this.tryInstall();
    });
    updater.on('error', (error) => deps.log(`update check failed: ${error.message}`));
  }

  /** The downloaded version waiting for a quiet moment, if any. */
  get pendingVersion(): string | null {
    return this.#pending;
  }

  get lastDecision(): InstallDecision | null {
    return this.#last;
  }

  start(): void {
    const tick = () => {
      this.#deps.updater.checkForUpdates().then(
        // The failure is reported through the 'error' event; the promise must not go unhandled.
        (result) => void result?.downloadPromise?.catch(() => undefined),
        (error: unknown) => this.#deps.log(`update check failed: ${(error as Error).message}`),
      );
      this.#check = this.#deps.setTimer(tick, this.#deps.checkEveryMs ?? CHECK_EVERY_MS);
    };
    tick();
  }

  stop(): void {
    this.#check?.cancel();
    this.#retry?.cancel();
    this.#check = this.#retry = null;
  }

  /** Installs the pending update if this is a quiet moment; otherwise asks again later. */
  async tryInstall(): Promise<InstallDecision | null> {
    if (!this.#pending || this.#installed) return null;
    this.#retry?.cancel();
    this.#retry = null;
    const activity = await this.#deps.probe().catch((error: unknown): Activity => ({ state: 'unknown', reason: (error as Error).message }));
    const decision = decideInstall(this.#deps.role, activity);
    this.#last = decision;
    if (decision.install) {
      this.#installed = true;
      this.#deps.log(`installing update ${this.#pending}: ${decision.reason}`);
      this.#deps.install();
    } else {
      this.#deps.log(`update ${this.#pending} deferred: ${decision.reason}`);
      this.#retry = this.#deps.setTimer(() => void this.tryInstall(), this.#deps.retryEveryMs ?? RETRY_EVERY_MS);
    }
    return decision;
  }
}
