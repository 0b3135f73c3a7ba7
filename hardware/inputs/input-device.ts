import type { AgentInputConfig } from '../../branch-server/contract/device-agent.contract.ts';
import { BootKeyboardDecoder, ScanLineAssembler } from './hid-keyboard.ts';
import { openHidraw, type HidSource } from './hid-source.ts';
import { openSerialSource, SerialLineAssembler, type SerialSource } from './serial-source.ts';

export type InputHandlers = Readonly<{
  scan(text: string): void;
  press(): void;
  state(state: 'ok' | 'error', detail: string): void;
}>;

export type InputSources = Readonly<{
  hid(path: string): HidSource;
  serial(path: string, baudRate: number): SerialSource;
}>;

export const DEFAULT_INPUT_SOURCES: InputSources = { hid: (path) => openHidraw(path), serial: openSerialSource };

export type InputTimings = Readonly<{ reopenMs: number; debounceMs: number }>;
export const DEFAULT_INPUT_TIMINGS: InputTimings = { reopenMs: 2000, debounceMs: 400 };

/**
 * A scanner or call button, kept open: a scanner reports each line it reads, a button each press
 * (presses closer than `debounceMs` count once). When the device fails or is unplugged it is
 * reported in error and opened again every `reopenMs`.
 */
export function openInput(config: AgentInputConfig, handlers: InputHandlers, sources = DEFAULT_INPUT_SOURCES, timings = DEFAULT_INPUT_TIMINGS): { close(): void } {
  let source: HidSource | SerialSource | null = null;
  let retry: NodeJS.Timeout | null = null;
  let closed = false;
  let lastPress = -Infinity;

  const press = () => {
    const now = performance.now();
    if (now - lastPress < timings.debounceMs) return;
    lastPress = now;
    handlers.press();
  };

  const open = () => {
    retry = null;
    if (closed) return;
    const current = config.source === 'hid' ? openHid() : openSerial();
    source = current;
    current.onReady(() => handlers.state('ok', ''));
    current.onError((error) => {
      if (closed) return;
      handlers.state('error', error.message);
      retry = setTimeout(open, timings.reopenMs);
    });
  };

  const openHid = (): HidSource => {
    const hid = sources.hid(config.path);
    const decoder = new BootKeyboardDecoder();
    const lines = new ScanLineAssembler();
    hid.onReport((report) => {
      const events = decoder.feed(report);
      if (config.kind === 'button') {
        if (events.length > 0) press();
      } else {
        for (const line of lines.push(events)) handlers.scan(line);
      }
    });
    return hid;
  };

  const openSerial = (): SerialSource => {
    const serial = sources.serial(config.path, config.baud_rate ?? 9600);
    const lines = new SerialLineAssembler();
    serial.onData((chunk) => {
      if (config.kind === 'button') {
        if (chunk.length > 0) press();
      } else {
        for (const line of lines.push(chunk)) handlers.scan(line);
      }
    });
    return serial;
  };

  open();
  return {
    close() {
      closed = true;
      if (retry) clearTimeout(retry);
      source?.close();
    },
  };
}
