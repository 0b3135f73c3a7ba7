/**
 * Every sync request names the protocol it speaks and the branch's schema version; the cloud refuses
 * what it does not understand instead of guessing.
 */
export const SYNC_PROTOCOL_VERSION = 1;
export const PROTOCOL_HEADER = 'x-sync-protocol';
export const SCHEMA_HEADER = 'x-sync-schema';

/** Uplink batch bounds (ARCHITECTURE §7): at most 500 rows and 1 MiB per push. */
export const MAX_PUSH_ROWS = 500;
export const MAX_PUSH_BYTES = 1024 * 1024;
/** Downlink page bound. */
export const MAX_PULL_LIMIT = 1000;
