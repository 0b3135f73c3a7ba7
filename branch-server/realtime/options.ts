export type RealtimeOptions = Readonly<{
  /** The server pings every client this often; a client that has not answered the previous ping is dropped. */
  heartbeatMs: number;
  /**
   * A client whose unsent data exceeds this is dropped (close 1013) rather than buffered without
   * bound: one stalled phone or TV must never hold memory or delay the others.
   */
  maxBufferedBytes: number;
  /** Messages a client may send per heartbeat period before it is closed (1008). */
  maxClientMessagesPerBeat: number;
}>;

export const DEFAULT_REALTIME_OPTIONS: RealtimeOptions = {
  heartbeatMs: 30_000,
  maxBufferedBytes: 1024 * 1024,
  maxClientMessagesPerBeat: 60,
};
