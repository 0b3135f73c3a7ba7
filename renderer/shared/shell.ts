import type { DeskSession, ShellApi } from '../../main/contract/shell-ipc.contract.ts';

/** The desktop app's API when the page runs inside it (main/preload.ts), else undefined (a browser). */
function shell(): ShellApi | undefined {
  return typeof window === 'undefined' ? undefined : (window as Window & { smartqueueShell?: ShellApi }).smartqueueShell;
}

/**
 * Tells the desktop app who is signed in at this desk, so it installs an update only when this agent
 * holds no ticket (it asks the branch server with this token). A no-op in a browser.
 */
export function reportDeskSession(session: DeskSession | null): void {
  void shell()?.reportDeskSession(session).catch(() => undefined);
}
