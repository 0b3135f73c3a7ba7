import { z } from 'zod';

export { CHANNELS, SHELL_API_KEYS } from './shell-channels.ts';

/**
 * The IPC boundary between the shell's pages (and the branch server's pages inside the shell) and
 * the main process: one schema per channel, parsed on arrival in main (ipc.ts). The preload and the
 * pages import only its types (the preload takes the channel names from shell-channels.ts).
 */

export const DeskSession = z.object({
  tenant: z.string().min(1).max(80).regex(/^[a-z0-9-]+$/),
  token: z.string().min(10).max(4096),
}).strict();
export type DeskSession = z.infer<typeof DeskSession>;

export const Screen = z.object({ id: z.number().int(), label: z.string(), primary: z.boolean() });
export const SetupState = z.object({
  configured: z.boolean(),
  role: z.enum(['server', 'agent', 'kiosk', 'display']).nullable(),
  screens: z.array(Screen),
  version: z.string(),
});
export type SetupState = z.infer<typeof SetupState>;

export const FoundServer = z.object({ name: z.string(), url: z.string() });
export type FoundServer = z.infer<typeof FoundServer>;

export const SetupOutcome = z.union([
  z.object({ ok: z.literal(true) }),
  z.object({ ok: z.literal(false), message: z.string() }),
]);
export type SetupOutcome = z.infer<typeof SetupOutcome>;

export const ExitOutcome = z.union([
  z.object({ outcome: z.literal('leave') }),
  z.object({ outcome: z.literal('wrong-pin'), remaining: z.number().int() }),
  z.object({ outcome: z.literal('locked'), retryInMs: z.number().int() }),
]);
export type ExitOutcome = z.infer<typeof ExitOutcome>;

/** The functions the preload exposes as `window.smartqueueShell`: nothing else of IPC or Node. */
export type ShellApi = Readonly<{
  getSetupState(): Promise<SetupState>;
  discoverServers(): Promise<FoundServer[]>;
  /** The request shape is SetupRequest (main/setup.ts), checked in main. */
  completeSetup(request: unknown): Promise<SetupOutcome>;
  leaveKiosk(pin: string): Promise<ExitOutcome>;
  reportDeskSession(session: DeskSession | null): Promise<void>;
}>;
