import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');

export type AgentProcess = Readonly<{
  child: ChildProcess;
  /** Everything it wrote so far (stdout and stderr). */
  output(): string;
  /** Resolves when its output matches (after `from` characters), rejects after `timeoutMs` or if it exits. */
  waitForOutput(pattern: RegExp, timeoutMs?: number, from?: number): Promise<void>;
  /** SIGKILL: no goodbye, as a power cut or a crash. */
  kill(): Promise<void>;
  /** SIGTERM, then waits for the exit code. */
  stop(): Promise<number | null>;
  exited: Promise<number | null>;
}>;

/** Starts `npm run print-agent` as the real CLI does (node + tsx), in its own process. */
export function spawnPrintAgent(args: readonly string[]): AgentProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'hardware/print-agent/cli.ts'), ...args], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PRINT_AGENT_SERVER: '', PRINT_AGENT_PAIRING_CODE: '', PRINT_AGENT_DATA_DIR: '' },
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    async waitForOutput(pattern, timeoutMs = 15_000, from = 0) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(output.slice(from))) {
        if (child.exitCode !== null) throw new Error(`print agent exited (${child.exitCode}) before ${pattern}:\n${output}`);
        if (Date.now() > deadline) throw new Error(`print agent did not print ${pattern} within ${timeoutMs} ms:\n${output}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
    exited,
  };
}
