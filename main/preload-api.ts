import type { ShellApi } from './contract/shell-ipc.contract.ts';
import { CHANNELS } from './contract/shell-channels.ts';
import { feedCornerTap } from './gesture.ts';
import { SHELL_PREFIX } from './ipc-channel.ts';

export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
}

export interface ContextBridgeLike {
  exposeInMainWorld(key: string, api: Record<string, unknown>): void;
}

export interface PointerTarget {
  addEventListener(type: 'pointerdown', listener: (event: { clientX: number; clientY: number; timeStamp: number }) => void, options?: { capture?: boolean; passive?: boolean }): void;
}

/** The global the pages see: `window.smartqueueShell`. */
export const SHELL_GLOBAL = 'smartqueueShell';

/**
 * Builds the preload's API: named functions, each sending one `shell:` channel. The page never sees
 * ipcRenderer itself (it could then send any channel) nor any Node API.
 */
export function createShellApi(ipc: IpcRendererLike): ShellApi {
  const invoke = (name: string, arg?: unknown) => ipc.invoke(`${SHELL_PREFIX}${name}`, ...(arg === undefined ? [] : [arg]));
  return Object.freeze({
    getSetupState: () => invoke(CHANNELS.setupState) as ReturnType<ShellApi['getSetupState']>,
    discoverServers: () => invoke(CHANNELS.discover) as ReturnType<ShellApi['discoverServers']>,
    completeSetup: (request: unknown) => invoke(CHANNELS.completeSetup, request) as ReturnType<ShellApi['completeSetup']>,
    leaveKiosk: (pin: string) => invoke(CHANNELS.leaveKiosk, pin) as ReturnType<ShellApi['leaveKiosk']>,
    reportDeskSession: async (session) => {
      await invoke(CHANNELS.deskSession, session);
    },
  });
}

/**
 * Everything the preload does: exposes the API, and counts taps in the top-left corner (the hidden
 * gesture that asks for the kiosk exit PIN) in the preload's isolated world, out of the page's reach.
 */
export function installPreload(bridge: ContextBridgeLike, ipc: IpcRendererLike, target: PointerTarget): void {
  bridge.exposeInMainWorld(SHELL_GLOBAL, createShellApi(ipc));
  let taps: number[] = [];
  target.addEventListener('pointerdown', (event) => {
    const result = feedCornerTap(taps, { x: event.clientX, y: event.clientY, at: event.timeStamp });
    taps = result.taps;
    if (result.complete) void ipc.invoke(`${SHELL_PREFIX}${CHANNELS.exitGesture}`).catch(() => undefined);
  }, { capture: true, passive: true });
}
