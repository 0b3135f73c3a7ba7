import type { BrowserWindowConstructorOptions, Rectangle } from 'electron';
import type { Role } from './role-config.ts';
import { mayNavigate, windowOpenAction } from './navigation-policy.ts';
import { HIDE_CURSOR_CSS, windowOptions } from './window-options.ts';

/** The slice of Electron's webContents the factory wires (Electron's own, or a test double). */
export interface WebContentsLike {
  on(event: 'will-navigate' | 'will-redirect', listener: (event: { preventDefault(): void; url?: string }, url?: string) => void): void;
  on(event: 'will-attach-webview', listener: (event: { preventDefault(): void }) => void): void;
  on(event: 'render-process-gone', listener: (event: unknown, details: { reason: string }) => void): void;
  on(event: 'did-fail-load', listener: (event: unknown, code: number, description: string, url: string, isMainFrame: boolean) => void): void;
  on(event: 'dom-ready', listener: () => void): void;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
  insertCSS(css: string): Promise<unknown>;
  reload(): void;
}

export interface BrowserWindowLike {
  readonly webContents: WebContentsLike;
  loadURL(url: string): Promise<void>;
  once(event: 'ready-to-show', listener: () => void): void;
  show(): void;
  isDestroyed(): boolean;
}

export type WindowFactoryDeps = Readonly<{
  BrowserWindow: new (options: BrowserWindowConstructorOptions) => BrowserWindowLike;
  preloadPath: string;
  /** Origins a window may be on: the branch server's and the shell's own. */
  trustedOrigins(): readonly string[];
  setTimer(fn: () => void, ms: number): void;
  log(message: string): void;
}>;

export type OpenWindow = Readonly<{ role: Role | 'setup'; url: string; bounds: Rectangle }>;

/** Retry a page that failed to load (branch server restarting, network cable out) after this long. */
export const RELOAD_AFTER_FAILURE_MS = 3_000;

/**
 * The one window factory (STYLE 9): hardened options, navigation and popups denied off the trusted
 * origins, webviews refused, a crashed renderer reloaded, a failed load retried, the pointer hidden
 * on displays.
 */
export function createWindow(deps: WindowFactoryDeps, open: OpenWindow): BrowserWindowLike {
  const win = new deps.BrowserWindow(windowOptions({ role: open.role, preloadPath: deps.preloadPath, bounds: open.bounds }));
  const contents = win.webContents;
  const guard = (event: { preventDefault(): void; url?: string }, url?: string) => {
    const target = event.url ?? url ?? '';
    if (!mayNavigate(target, deps.trustedOrigins())) {
      event.preventDefault();
      deps.log(`blocked navigation to ${target}`);
    }
  };
  contents.on('will-navigate', guard);
  contents.on('will-redirect', guard);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler((details) => {
    deps.log(`blocked new window for ${details.url}`);
    return windowOpenAction();
  });
  contents.on('render-process-gone', (_event, details) => {
    deps.log(`renderer gone (${details.reason}): reloading`);
    if (!win.isDestroyed()) contents.reload();
  });
  contents.on('did-fail-load', (_event, code, description, url, isMainFrame) => {
    // -3 is ERR_ABORTED: a navigation we (or the page) cancelled, not a failure.
    if (!isMainFrame || code === -3) return;
    deps.log(`could not load ${url} (${description}): retrying`);
    deps.setTimer(() => {
      if (!win.isDestroyed()) void win.loadURL(open.url).catch(() => undefined);
    }, RELOAD_AFTER_FAILURE_MS);
  });
  if (open.role === 'display') {
    contents.on('dom-ready', () => void contents.insertCSS(HIDE_CURSOR_CSS));
  }
  win.once('ready-to-show', () => win.show());
  void win.loadURL(open.url).catch(() => undefined);
  return win;
}
