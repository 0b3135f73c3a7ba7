/**
 * The child side of the main ↔ branch-server channel. Under Electron the child is a utilityProcess and
 * talks through `process.parentPort`; under plain Node (tests, `node dist/main/branch-server.js`)
 * through the fork IPC channel (`process.send`), or not at all when started by hand.
 */
export type ParentPort = Readonly<{
  post(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
}>;

type ElectronParentPort = {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
};

export function parentPort(proc: NodeJS.Process = process): ParentPort {
  const electronPort = (proc as NodeJS.Process & { parentPort?: ElectronParentPort }).parentPort;
  if (electronPort) {
    return { post: (m) => electronPort.postMessage(m), onMessage: (l) => electronPort.on('message', (e) => l(e.data)) };
  }
  if (proc.send) {
    return { post: (m) => proc.send?.(m), onMessage: (l) => proc.on('message', l) };
  }
  return { post: () => undefined, onMessage: () => undefined };
}
