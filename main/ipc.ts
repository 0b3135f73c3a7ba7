import type { z } from 'zod';
import { SHELL_PREFIX } from './ipc-channel.ts';

export { SHELL_PREFIX };

/** The part of Electron's IpcMainInvokeEvent the check reads (a test double provides the same). */
export type InvokeEvent = Readonly<{
  senderFrame: Readonly<{ url: string; parent: unknown }> | null;
}>;

export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEvent, ...args: unknown[]) => unknown): void;
}

export class IpcRejected extends Error {
  override readonly name = 'IpcRejected';
}

/** Which origins may call a channel: decided per call (the server URL can change at setup). */
export type OriginCheck = (origin: string) => boolean;

function frameOrigin(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'app:' ? `app://${parsed.host}` : parsed.origin;
  } catch {
    return null;
  }
}

/**
 * The sender must be a top-level frame (no iframe, even of a trusted origin, may call the shell)
 * whose origin passes `allowed`. Returns the origin, or throws IpcRejected.
 */
export function checkSender(event: InvokeEvent, allowed: OriginCheck): string {
  const frame = event.senderFrame;
  if (!frame) throw new IpcRejected('the sending frame is gone');
  if (frame.parent) throw new IpcRejected('only a top-level page may call the shell');
  const origin = frameOrigin(frame.url);
  if (!origin || origin === 'null' || !allowed(origin)) throw new IpcRejected(`origin ${origin ?? frame.url} may not call the shell`);
  return origin;
}

/**
 * Registers `shell:<name>`: checks the sender frame, parses the one argument with `schema`, then calls
 * `handler`. A rejected call throws in the renderer (Electron turns it into a rejected promise).
 */
export function handleShell<S extends z.ZodType, R>(
  ipcMain: IpcMainLike,
  name: string,
  allowed: OriginCheck,
  schema: S,
  handler: (arg: z.infer<S>, origin: string) => R | Promise<R>,
): void {
  if (!/^[a-z][a-z-]*$/.test(name)) throw new Error(`bad shell channel name ${name}`);
  ipcMain.handle(`${SHELL_PREFIX}${name}`, async (event, ...args) => {
    const origin = checkSender(event, allowed);
    if (args.length > 1) throw new IpcRejected(`${SHELL_PREFIX}${name} takes one argument`);
    const parsed = schema.safeParse(args[0]);
    if (!parsed.success) throw new IpcRejected(`${SHELL_PREFIX}${name}: ${parsed.error.issues[0]?.message ?? 'invalid argument'}`);
    return handler(parsed.data, origin);
  });
}
