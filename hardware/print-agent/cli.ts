import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from '../../branch-server/cli/args.ts';
import { DeviceAgent } from './agent.ts';
import { loadCredentials, pair, PairingError, saveCredentials } from './credentials.ts';
import { PrintJournal } from './print-journal.ts';

const USAGE = `Usage: npm run print-agent -- [--server <url> --pair <code>] [--data-dir <dir>]

  --server <url>    the branch server, e.g. http://192.168.1.10:8080   (env PRINT_AGENT_SERVER)
  --pair <code>     the pairing code shown in the manager console, once (env PRINT_AGENT_PAIRING_CODE)
  --data-dir <dir>  where the agent keeps its key and printed-job journal (env PRINT_AGENT_DATA_DIR,
                    default ~/.smartqueue-print-agent)

Pair once with --server and --pair; afterwards start it with no arguments (or --data-dir).`;

/** `npm run print-agent`: pairs once, then runs the print agent until SIGINT/SIGTERM. */
async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.has('help')) {
    console.log(USAGE);
    return;
  }
  const text = (name: string, env: string): string | undefined => {
    const value = args.get(name) ?? process.env[env];
    if (value === true) throw new PairingError(`--${name} needs a value.\n\n${USAGE}`);
    return value === undefined || value === '' ? undefined : value;
  };
  const dataDir = text('data-dir', 'PRINT_AGENT_DATA_DIR') ?? join(homedir(), '.smartqueue-print-agent');
  const code = text('pair', 'PRINT_AGENT_PAIRING_CODE');
  const server = text('server', 'PRINT_AGENT_SERVER');

  let credentials = loadCredentials(dataDir);
  if (code) {
    const url = server ?? credentials?.server_url;
    if (!url) throw new PairingError(`Pairing needs the branch server's address (--server).\n\n${USAGE}`);
    credentials = await pair(url, code);
    saveCredentials(dataDir, credentials);
    console.log(`Paired with ${credentials.server_url} as device ${credentials.device_id} (${credentials.tenant_slug}).`);
  } else if (credentials && server && server.replace(/\/+$/, '') !== credentials.server_url) {
    // The server moved (new address): the key stays valid.
    credentials = { ...credentials, server_url: server.replace(/\/+$/, '') };
    saveCredentials(dataDir, credentials);
  }
  if (!credentials) throw new PairingError(`This agent is not paired yet.\n\n${USAGE}`);

  const journal = new PrintJournal(dataDir);
  const agent = new DeviceAgent({
    serverUrl: credentials.server_url, deviceKey: credentials.device_key, journal,
    log: (line) => console.log(`${new Date().toISOString()} ${line}`),
  });
  agent.on('fatal', () => {
    journal.close();
    process.exit(2);
  });
  agent.start();

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal} received: stopping the print agent…`);
    agent.stop().then(() => {
      journal.close();
      process.exit(0);
    }, (error: unknown) => {
      console.error(error);
      process.exit(1);
    });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error instanceof PairingError ? error.message : error);
  process.exit(error instanceof PairingError ? 2 : 1);
});
