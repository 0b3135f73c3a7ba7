/**
 * Node arguments that run the server from its sources in one process (`node --import tsx`, as the
 * README shows). The tsx CLI would run it as a child and relay signals: a SIGTERM that reached the
 * relay before it heard of the server's own handler ended the run with 143 (seen once in a full run).
 */
export const SOURCE_START: readonly string[] = ['--import', 'tsx'];
