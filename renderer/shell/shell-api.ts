import type { ShellApi } from '../../main/contract/shell-ipc.contract.ts';

/** The preload's API on the shell's own pages (always present there). */
export function shellApi(): ShellApi {
  const api = (window as Window & { smartqueueShell?: ShellApi }).smartqueueShell;
  if (!api) throw new Error('This page runs only inside the SmartQueue desktop app.');
  return api;
}
