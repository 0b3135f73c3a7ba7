/**
 * Channel names of the shell's IPC (prefixed with `shell:` on the wire) and the preload's API keys.
 * Kept free of zod so the sandboxed preload bundle stays tiny; the schemas are in shell-ipc.contract.ts.
 */
export const CHANNELS = {
  /** Shell pages only. */
  setupState: 'setup-state',
  discover: 'discover',
  completeSetup: 'complete-setup',
  leaveKiosk: 'leave-kiosk',
  /** The branch server's pages in the shell. */
  deskSession: 'desk-session',
  exitGesture: 'exit-gesture',
} as const;

/** What `window.smartqueueShell` holds: these functions and nothing else. */
export const SHELL_API_KEYS = ['getSetupState', 'discoverServers', 'completeSetup', 'leaveKiosk', 'reportDeskSession'] as const;
