import type { Server } from 'node:http';
import type { AppDeps } from '../http/context.ts';
import type { EventBus } from '../use-cases/events.ts';

// PLACEHOLDER: replaced by the realtime hub implementation.
export function attachRealtime(_server: Server, _deps: AppDeps, _events: EventBus): { close(): Promise<void> } {
  return { close: async () => undefined };
}
