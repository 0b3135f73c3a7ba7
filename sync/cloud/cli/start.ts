import { startCloud } from '../start.ts';
import { describeStore, loadCloudConfig } from './config.ts';

/** `npm run cloud`: the cloud API (HQ and sync) on PORT (8090), PostgreSQL at DATABASE_URL or PGlite in DATA_DIR. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadCloudConfig();
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
  const cloud = await startCloud({
    port: config.port, host: config.host, databaseUrl: config.databaseUrl, dataDir: config.dataDir,
    logs: { dir: config.logDir, level: config.logLevel }, metricsToken: config.metricsToken, updatesDir: config.updatesDir,
    retentionHour: config.retentionHour,
  });
  console.log([
    `SmartQueue Cloud is running on ${cloud.url}  (data: ${describeStore(config)})`,
    `  HQ:      ${cloud.url}/hq`,
    `  HQ API:  ${cloud.url}/api/v1/`,
    `  Sync:    ${cloud.url}/sync/v1/`,
    `  Health:  ${cloud.url}/api/v1/health/`,
    ...(config.updatesDir ? [`  Updates: ${cloud.url}/updates/ (from ${config.updatesDir})`] : []),
  ].join('\n'));

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal} received: closing connections and the database…`);
    cloud.close().then(() => process.exit(0), (error: unknown) => {
      console.error(error);
      process.exit(1);
    });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

await main();
