import { resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { ConfigError, loadConfig } from '../config.ts';
import { planRestore, restoreBackup, RestoreError } from '../ops/restore.ts';

const USAGE = 'Usage: npm run restore -- <backup-file> [--yes]   (DATA_DIR names the branch data folder)';

/**
 * `npm run restore -- <backup-file> [--yes]`: puts a verified backup in place of DATA_DIR's database
 * after a confirmation (the server must be stopped). Exit codes: 0 restored, 1 failed, 2 refused.
 */
async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const yes = args.includes('--yes') || args.includes('-y');
  const files = args.filter((a) => !a.startsWith('-'));
  const unknown = args.filter((a) => a.startsWith('-') && a !== '--yes' && a !== '-y');
  if (files.length !== 1 || unknown.length > 0) {
    console.error(USAGE);
    return 2;
  }
  const config = loadConfig(process.env);
  const plan = await planRestore(config.dataDir, resolve(files[0]!));
  console.log([
    `Backup:   ${plan.file}`,
    `          integrity_check ok, ${plan.check.tickets ?? '?'} tickets`,
    `Replaces: ${plan.target}${plan.currentTickets === null ? ' (none there)' : ` (${plan.currentTickets} tickets; it is kept in ${config.dataDir}/pre-restore/)`}`,
  ].join('\n'));
  if (!yes) {
    if (!process.stdin.isTTY) {
      console.error('Not restoring: confirm by typing yes at a terminal, or pass --yes.');
      return 2;
    }
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    const answer = (await rl.question('Type "yes" to restore: ')).trim().toLowerCase();
    rl.close();
    if (answer !== 'yes') {
      console.log('Nothing was changed.');
      return 2;
    }
  }
  const result = await restoreBackup(plan, Date.now());
  console.log([
    `Restored ${plan.file}.`,
    ...(result.setAside ? [`The previous database is in ${result.setAside}.`] : []),
    ...(result.countersCarried > 0 ? [`Ticket numbers go on after the last ones it issued (${result.countersCarried} queue day(s)): no number is handed out twice.`] : []),
    'Start the server: if it is enrolled with HQ it uploads again under a new stream (the cloud keeps every row once)',
    'and takes a fresh copy of HQ\'s data. Tickets issued after this backup stay at HQ only.',
  ].join('\n'));
  return 0;
}

main().then((code) => process.exit(code), (error: unknown) => {
  if (error instanceof RestoreError || error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  console.error(error);
  process.exit(1);
});
