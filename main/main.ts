import { app, BrowserWindow, ipcMain, powerSaveBlocker, protocol, screen, session, utilityProcess, type UtilityProcess } from 'electron';
import electronUpdater from 'electron-updater';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { loadCredentials, saveCredentials } from '../hardware/print-agent/credentials.ts';
import { autostartDesktopEntry } from './autostart.ts';
import { EXIT_FATAL, FromServer, type ToServer } from './branch-server-protocol.ts';
import { CHANNELS, DeskSession, type ExitOutcome, type SetupOutcome, type SetupState } from './contract/shell-ipc.contract.ts';
import { discoverBranchServers } from './discovery.ts';
import { isExitChord } from './gesture.ts';
import { handleShell } from './ipc.ts';
import { decideExit, NO_ATTEMPTS, type ExitAttempts } from './kiosk-exit.ts';
import { cspFor, mayGrantPermission, SHELL_ORIGIN, windowOpenAction } from './navigation-policy.ts';
import { probeAgentDesk } from './quiet-probe.ts';
import { serverOrigin, startUrl, updateFeedUrl, type RoleConfig } from './role-config.ts';
import { createRoleStore } from './role-store.ts';
import { completeSetup, SetupRefused, type SetupResult } from './setup.ts';
import { shellFileFor } from './shell-files.ts';
import { Supervisor, type ChildHandle } from './supervisor.ts';
import { UpdateController } from './update-controller.ts';
import type { Activity } from './update-policy.ts';
import { createWindow, type BrowserWindowLike } from './window-factory.ts';

/*
 * The Electron main process: wiring only. Every decision lives in a module tested under plain Node
 * (role-store, supervisor, window-options/-factory, navigation-policy, ipc, setup, update-*, kiosk-exit).
 */

const here = import.meta.dirname; // dist/main in a build
const PRELOAD = join(here, 'preload.cjs');
const SHELL_PAGES = join(here, '..', 'shell');
const log = (line: string) => console.log(`${new Date().toISOString()} ${line}`);
const timer = (fn: () => void, ms: number) => {
  const handle = setTimeout(fn, ms);
  return { cancel: () => clearTimeout(handle) };
};

protocol.registerSchemesAsPrivileged([{ scheme: 'app', privileges: { standard: true, secure: true } }]);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  void app.whenReady().then(run).catch((error: unknown) => {
    log(`fatal: ${(error as Error).stack ?? String(error)}`);
    app.exit(1);
  });
}

async function run(): Promise<void> {
  const store = createRoleStore(app.getPath('userData'));
  let config: RoleConfig | null = store.load();
  let mainWindow: BrowserWindowLike | null = null;
  let deskSession: DeskSession | null = null;
  let exitAttempts: ExitAttempts = NO_ATTEMPTS;
  let server: ServerHandle | null = null;

  const trustedOrigins = () => (config ? [serverOrigin(config), SHELL_ORIGIN] : [SHELL_ORIGIN]);
  const isServerOrigin = (origin: string) => config !== null && origin === serverOrigin(config);
  const isShellOrigin = (origin: string) => origin === SHELL_ORIGIN;

  hardenSession(trustedOrigins);
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => windowOpenAction());
  });
  app.on('second-instance', () => (mainWindow as BrowserWindow | null)?.focus());

  const open = (role: RoleConfig['role'] | 'setup', url: string, monitorId: number | null = null) => {
    const monitor = screen.getAllDisplays().find((d) => d.id === monitorId) ?? screen.getPrimaryDisplay();
    // A role window stays on the branch server; the shell's pages stay on the shell's origin (a
    // branch page must not reach the setup or PIN pages, whose IPC channels are the shell's only).
    const windowOrigins = role === 'setup' ? () => [SHELL_ORIGIN] : () => (config ? [serverOrigin(config)] : []);
    return createWindow({ BrowserWindow, preloadPath: PRELOAD, trustedOrigins: windowOrigins, setTimer: (fn, ms) => void setTimeout(fn, ms), log }, { role, url, bounds: monitor.bounds });
  };

  const openRoleWindow = (current: RoleConfig) => {
    const win = open(current.role, startUrl(current), current.role === 'display' ? current.monitorId : null) as BrowserWindow & BrowserWindowLike;
    if (current.role === 'kiosk' || current.role === 'display') {
      win.webContents.on('before-input-event', (event, input) => {
        if (isExitChord(input)) {
          event.preventDefault();
          openExitPrompt();
        }
      });
    }
    if (current.role === 'display') powerSaveBlocker.start('prevent-display-sleep');
    mainWindow = win;
  };

  let exitPrompt: BrowserWindow | null = null;
  const openExitPrompt = () => {
    if (exitPrompt && !exitPrompt.isDestroyed()) return exitPrompt.focus();
    exitPrompt = open('setup', `${SHELL_ORIGIN}/exit.html`) as BrowserWindow & BrowserWindowLike;
    exitPrompt.setAlwaysOnTop(true, 'screen-saver');
  };

  // shell: IPC. Shell pages: setup and kiosk exit. The branch server's pages: desk session, exit gesture.
  handleShell(ipcMain, CHANNELS.setupState, isShellOrigin, z.undefined(), (): SetupState => ({
    configured: config !== null, role: config?.role ?? null, version: app.getVersion(),
    screens: screen.getAllDisplays().map((d) => ({ id: d.id, label: `${d.label || 'Screen'} ${d.size.width}×${d.size.height}`, primary: d.id === screen.getPrimaryDisplay().id })),
  }));
  handleShell(ipcMain, CHANNELS.discover, isShellOrigin, z.undefined(), () => discoverBranchServers());
  handleShell(ipcMain, CHANNELS.completeSetup, (origin) => isShellOrigin(origin) && config === null, z.unknown(), async (request): Promise<SetupOutcome> => {
    let result: SetupResult;
    try {
      result = await completeSetup(request);
    } catch (error) {
      if (error instanceof SetupRefused) return { ok: false, message: error.message };
      throw error;
    }
    config = store.save(result.config);
    if (result.printAgent) saveCredentials(join(app.getPath('userData'), 'print-agent'), result.printAgent);
    const setupWindow = mainWindow as BrowserWindow | null;
    await startRole(config, result.bootstrap);
    setupWindow?.destroy();
    return { ok: true };
  });
  handleShell(ipcMain, CHANNELS.leaveKiosk, isShellOrigin, z.string().max(16), (pin): ExitOutcome => {
    if (!config || (config.role !== 'kiosk' && config.role !== 'display')) return { outcome: 'locked', retryInMs: 0 };
    const decision = decideExit(pin, config.exitPin, exitAttempts, Date.now());
    exitAttempts = decision.attempts;
    if (decision.outcome === 'leave') {
      const win = mainWindow as BrowserWindow | null;
      win?.setKiosk(false);
      win?.setFullScreen(false);
      win?.setClosable(true);
      exitPrompt?.destroy();
      return { outcome: 'leave' };
    }
    return decision.outcome === 'locked' ? { outcome: 'locked', retryInMs: decision.retryInMs } : { outcome: 'wrong-pin', remaining: decision.remaining };
  });
  handleShell(ipcMain, CHANNELS.deskSession, isServerOrigin, DeskSession.nullable(), (next) => {
    deskSession = next;
  });
  handleShell(ipcMain, CHANNELS.exitGesture, isServerOrigin, z.undefined(), () => {
    if (config?.role === 'kiosk' || config?.role === 'display') openExitPrompt();
  });

  protocol.handle('app', (request) => {
    const target = shellFileFor(request.url, SHELL_PAGES);
    if (!target) return new Response('Not found', { status: 404 });
    return new Response(readFileSync(target.file), { headers: { 'content-type': target.type, 'content-security-policy': cspFor(request.url, undefined) } });
  });

  async function startRole(current: RoleConfig, bootstrap: SetupResult['bootstrap']): Promise<void> {
    applyAutostart(current.startAtLogin);
    if (current.role === 'server') {
      server = superviseBranchServer(current, bootstrap);
      await server.ready;
    }
    if (current.role === 'kiosk') supervisePrintAgent();
    openRoleWindow(current);
    startUpdates(current, () => probe(current));
  }

  const probe = async (current: RoleConfig): Promise<Activity> => {
    switch (current.role) {
      case 'server':
        return server ? server.activity() : { state: 'unknown', reason: 'branch server not running' };
      case 'agent':
        return probeAgentDesk(serverOrigin(current), deskSession);
      case 'kiosk':
      case 'display':
        // Nobody is served at a kiosk or a display: a restart costs a few seconds of screen.
        return { state: 'quiet' };
    }
  };

  if (config) {
    await startRole(config, null);
  } else {
    mainWindow = open('setup', `${SHELL_ORIGIN}/setup.html`);
  }
}

/** Permissions and CSP for every page of the default session. */
function hardenSession(trustedOrigins: () => readonly string[]): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_contents, permission, callback, details) => callback(mayGrantPermission(permission, details.requestingUrl, trustedOrigins())));
  ses.setPermissionCheckHandler((_contents, permission, requestingOrigin) => mayGrantPermission(permission, requestingOrigin, trustedOrigins()));
  ses.webRequest.onHeadersReceived((details, callback) => {
    const headers = { ...details.responseHeaders };
    const key = Object.keys(headers).find((k) => k.toLowerCase() === 'content-security-policy');
    const existing = key ? headers[key]?.join('; ') : undefined;
    if (key) delete headers[key];
    headers['Content-Security-Policy'] = [cspFor(details.url, existing)];
    callback({ responseHeaders: headers });
  });
}

function applyAutostart(enabled: boolean): void {
  if (process.platform === 'linux') {
    const file = join(homedir(), '.config', 'autostart', 'smartqueue.desktop');
    mkdirSync(dirname(file), { recursive: true });
    if (enabled) writeFileSync(file, autostartDesktopEntry(process.execPath, process.env['APPIMAGE']));
    return;
  }
  app.setLoginItemSettings({ openAtLogin: enabled });
}

type ServerHandle = Readonly<{ ready: Promise<void>; activity(): Promise<Activity> }>;

function childOf(proc: UtilityProcess): ChildHandle {
  return {
    onExit: (listener) => proc.once('exit', listener),
    onMessage: (listener) => proc.on('message', listener),
    postMessage: (message) => proc.postMessage(message),
    kill: () => void proc.kill(),
  };
}

/** Role "server": the branch server in a utilityProcess, restarted with backoff if it dies. */
function superviseBranchServer(config: Extract<RoleConfig, { role: 'server' }>, bootstrap: SetupResult['bootstrap']): ServerHandle {
  const env: Record<string, string> = {
    ...process.env as Record<string, string>,
    DATA_DIR: join(app.getPath('userData'), 'branch-data'), PORT: String(config.port), HOST: '0.0.0.0', DEMO_TENANT: 'false',
  };
  if (bootstrap?.kind === 'enroll') Object.assign(env, { CLOUD_URL: bootstrap.cloudUrl, ENROLL_TOKEN: bootstrap.token });
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  let nextId = 1;
  const waiting = new Map<number, (tickets: string[]) => void>();
  const supervisor = new Supervisor({
    spawn: () => childOf(utilityProcess.fork(join(import.meta.dirname, 'branch-server.js'), [], { env, serviceName: 'SmartQueue branch server', stdio: 'inherit' })),
    now: Date.now,
    setTimer: timer,
    fatalExitCodes: [EXIT_FATAL],
    onFatal: () => log('the branch server cannot start (see the message above): not restarting'),
    onCrash: ({ code, restartInMs }) => log(`branch server exited (${code}): restarting in ${restartInMs} ms`),
    onStart: (child) => child.onMessage((raw) => {
      const message = FromServer.safeParse(raw);
      if (!message.success) return;
      const m = message.data;
      if (m.type === 'ready') {
        if (m.tenants === 0 && bootstrap?.kind === 'create-tenant') {
          const { name, slug, adminEmail, adminPassword } = bootstrap;
          child.postMessage({ type: 'create-tenant', name, slug, adminEmail, adminPassword } satisfies ToServer);
        }
        markReady();
      } else if (m.type === 'activity') {
        waiting.get(m.id)?.(m.tickets);
        waiting.delete(m.id);
      } else if (m.type === 'fatal' || m.type === 'error') {
        log(`branch server: ${m.message}`);
      }
    }),
  });
  supervisor.start();
  app.on('before-quit', () => supervisor.stop());
  return {
    ready,
    activity: () => new Promise<Activity>((resolve) => {
      const child = supervisor.child;
      if (!child) return resolve({ state: 'unknown', reason: 'branch server restarting' });
      const id = nextId++;
      const timeout = setTimeout(() => {
        waiting.delete(id);
        resolve({ state: 'unknown', reason: 'branch server did not answer' });
      }, 5_000);
      waiting.set(id, (tickets) => {
        clearTimeout(timeout);
        resolve(tickets.length > 0 ? { state: 'busy', tickets } : { state: 'quiet' });
      });
      child.postMessage({ type: 'activity', id } satisfies ToServer);
    }),
  };
}

/** Role "kiosk" with a paired print agent: it runs beside the window, supervised like the server. */
function supervisePrintAgent(): void {
  const dataDir = join(app.getPath('userData'), 'print-agent');
  if (!loadCredentials(dataDir)) return; // no print agent paired on this kiosk
  const supervisor = new Supervisor({
    spawn: () => childOf(utilityProcess.fork(join(import.meta.dirname, 'print-agent.js'), [], {
      env: { ...process.env as Record<string, string>, PRINT_AGENT_DATA_DIR: dataDir }, serviceName: 'SmartQueue print agent', stdio: 'inherit',
    })),
    now: Date.now,
    setTimer: timer,
    onCrash: ({ code, restartInMs }) => log(`print agent exited (${code}): restarting in ${restartInMs} ms`),
  });
  supervisor.start();
  app.on('before-quit', () => supervisor.stop());
}

function startUpdates(config: RoleConfig, probe: () => Promise<Activity>): void {
  const feed = updateFeedUrl(config);
  if (!feed || !app.isPackaged) return;
  const { autoUpdater } = electronUpdater;
  autoUpdater.setFeedURL({ provider: 'generic', url: feed });
  new UpdateController({
    updater: autoUpdater, role: config.role, probe, log, setTimer: timer,
    install: () => autoUpdater.quitAndInstall(true, true),
  }).start();
}
