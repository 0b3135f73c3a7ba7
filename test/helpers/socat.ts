import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

export const hasSocat = spawnSync('sh', ['-c', 'command -v socat'], { encoding: 'utf8' }).status === 0;

export type PtyPair = Readonly<{ a: string; b: string; close(): Promise<void> }>;

/**
 * Two connected pseudo-terminals (a null-modem cable) made by socat: what one end writes, the other
 * reads. Their real names (/dev/pts/N) are read from socat's log, so they pass the API's device path check.
 */
export async function startPtyPair(): Promise<PtyPair> {
  const child: ChildProcess = spawn('socat', ['-d', '-d', 'pty,raw,echo=0', 'pty,raw,echo=0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const paths = await new Promise<string[]>((resolve, reject) => {
    let log = '';
    const found: string[] = [];
    const timer = setTimeout(() => reject(new Error(`socat did not open a pty pair: ${log}`)), 5000);
    child.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      for (const match of log.matchAll(/PTY is (\/dev\/\S+)/g)) if (!found.includes(match[1]!)) found.push(match[1]!);
      // "starting data transfer loop" comes once both ends exist.
      if (found.length === 2 && /starting data transfer loop/.test(log)) {
        clearTimeout(timer);
        resolve(found);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`socat exited with ${code}: ${log}`));
    });
  });
  return {
    a: paths[0]!,
    b: paths[1]!,
    close: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) {
        resolve();
        return;
      }
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}
