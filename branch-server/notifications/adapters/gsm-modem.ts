import type { SerialPort } from 'serialport';
import { z } from 'zod';
import { encodeSubmitPdus } from '../sms-pdu.ts';
import { ProviderError, type ChannelAdapter, type OutgoingMessage, type SendResult } from './adapter.ts';

export const GsmModemSettings = z.object({ path: z.string(), baud_rate: z.number().int() });
export const GsmModemSecrets = z.object({ pin: z.string().optional() });

export type ModemTimeouts = Readonly<{ openMs: number; commandMs: number; sendMs: number }>;
export const DEFAULT_MODEM_TIMEOUTS: ModemTimeouts = { openMs: 3000, commandMs: 5000, sendMs: 60_000 };

/** One conversation per serial port at a time: AT commands of two messages must not interleave. */
const portLocks = new Map<string, Promise<unknown>>();

function withPortLock<T>(path: string, fn: () => Promise<T>): Promise<T> {
  const previous = portLocks.get(path) ?? Promise.resolve();
  const run = previous.then(fn, fn);
  const settled = run.then(() => undefined, () => undefined);
  portLocks.set(path, settled);
  void settled.then(() => {
    if (portLocks.get(path) === settled) portLocks.delete(path);
  });
  return run;
}

/**
 * A GSM modem (USB dongle, serial module) speaking Hayes/3GPP TS 27.005 AT commands: SMS goes out
 * over the mobile network when the branch's internet link is down. PDU mode (`AT+CMGF=0`) with
 * UCS-2 text and concatenated parts (sms-pdu.ts). `serialport` is native and loaded on first use.
 * The provider id is `gsm:` + the message references the modem answered (`+CMGS: <mr>`).
 */
export function gsmModemAdapter(config: Readonly<{
  settings: z.infer<typeof GsmModemSettings>; secrets: z.infer<typeof GsmModemSecrets>; timeouts?: Partial<ModemTimeouts>;
}>): ChannelAdapter {
  const { settings, secrets } = config;
  const timeouts = { ...DEFAULT_MODEM_TIMEOUTS, ...config.timeouts };
  return {
    kind: 'gsm_modem',
    send: (message: OutgoingMessage) => withPortLock(settings.path, () => sendOverModem(settings, secrets, timeouts, message)),
  };
}

async function sendOverModem(
  settings: z.infer<typeof GsmModemSettings>, secrets: z.infer<typeof GsmModemSecrets>, timeouts: ModemTimeouts, message: OutgoingMessage,
): Promise<SendResult> {
  let pdus;
  try {
    pdus = encodeSubmitPdus(message.to, message.body, Math.floor(Math.random() * 256));
  } catch (error) {
    throw new ProviderError(`GSM modem: ${(error as Error).message}`, { retryable: false });
  }
  const modem = await Modem.open(settings.path, settings.baud_rate, timeouts);
  try {
    await modem.command('ATE0');
    if (secrets.pin) {
      const state = await modem.command('AT+CPIN?');
      if (/SIM PIN/.test(state)) await modem.command(`AT+CPIN="${secrets.pin}"`);
    }
    await modem.command('AT+CMGF=0');
    const references: string[] = [];
    for (const pdu of pdus) references.push(await modem.submit(pdu.tpduLength, pdu.hex));
    return { providerId: `gsm:${references.join(',')}` };
  } finally {
    await modem.close();
  }
}

class Modem {
  readonly #port: SerialPort;
  readonly #timeouts: ModemTimeouts;
  #buffer = '';
  #waiter: (() => void) | null = null;

  private constructor(port: SerialPort, timeouts: ModemTimeouts) {
    this.#port = port;
    this.#timeouts = timeouts;
    port.on('data', (chunk: Buffer) => {
      this.#buffer += chunk.toString('latin1');
      this.#waiter?.();
    });
    port.on('error', () => undefined);
  }

  static async open(path: string, baudRate: number, timeouts: ModemTimeouts): Promise<Modem> {
    let SerialPortClass: typeof SerialPort;
    try {
      ({ SerialPort: SerialPortClass } = await import('serialport'));
    } catch (error) {
      throw new ProviderError(`GSM modem: serial ports are unavailable on this machine (${(error as Error).message})`, { retryable: false });
    }
    const port = new SerialPortClass({ path, baudRate, autoOpen: false });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new ProviderError(`GSM modem: ${path} did not open`, { retryable: true })), timeouts.openMs);
      port.open((error) => {
        clearTimeout(timer);
        if (error) reject(new ProviderError(`GSM modem: cannot open ${path}: ${error.message}`, { retryable: true }));
        else resolve();
      });
    });
    return new Modem(port, timeouts);
  }

  /** Waits until the buffer matches `pattern`; returns and consumes the text up to the match's end. */
  async #expect(pattern: RegExp, timeoutMs: number, what: string): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const failure = /(\+CM[SE] ERROR:\s*[^\r\n]*|(?:^|\r?\n)ERROR\r?\n)/.exec(this.#buffer);
      const match = pattern.exec(this.#buffer);
      if (failure && (!match || failure.index < match.index)) {
        this.#buffer = '';
        throw new ProviderError(`GSM modem refused ${what}: ${failure[1]!.trim()}`, { retryable: true });
      }
      if (match) {
        const text = this.#buffer.slice(0, match.index + match[0].length);
        this.#buffer = this.#buffer.slice(match.index + match[0].length);
        return text;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new ProviderError(`GSM modem did not answer ${what} within ${timeoutMs} ms`, { retryable: true });
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#waiter = null;
    }
  }

  #write(text: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#port.write(Buffer.from(text, 'latin1'), (error) => {
        if (error) reject(new ProviderError(`GSM modem write failed: ${error.message}`, { retryable: true }));
        else this.#port.drain(() => resolve());
      });
    });
  }

  /** Sends one command and waits for its final OK; returns what the modem said before it. */
  async command(line: string): Promise<string> {
    this.#buffer = '';
    await this.#write(`${line}\r`);
    return this.#expect(/(?:^|\r?\n)OK\r?\n/, this.#timeouts.commandMs, line.replace(/CPIN="[^"]*"/, 'CPIN="…"'));
  }

  /** `AT+CMGS=<n>`, the `> ` prompt, the PDU and Ctrl-Z; returns the message reference. */
  async submit(tpduLength: number, hex: string): Promise<string> {
    this.#buffer = '';
    await this.#write(`AT+CMGS=${tpduLength}\r`);
    await this.#expect(/> ?/, this.#timeouts.commandMs, 'AT+CMGS');
    await this.#write(`${hex}\x1a`);
    const answer = await this.#expect(/\+CMGS:\s*(\d+)[\s\S]*?(?:^|\r?\n)OK\r?\n/m, this.#timeouts.sendMs, 'the message');
    return /\+CMGS:\s*(\d+)/.exec(answer)?.[1] ?? '';
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.#port.isOpen) {
        resolve();
        return;
      }
      this.#port.close(() => resolve());
    });
  }
}
