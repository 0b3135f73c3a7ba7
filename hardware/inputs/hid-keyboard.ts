/**
 * PURE: USB HID boot-protocol keyboard reports to characters. A barcode scanner in HID ("keyboard
 * wedge") mode and most USB call buttons are keyboards: each key sends an 8-byte input report —
 * byte 0 modifier bits (0x02 left shift, 0x20 right shift…), byte 1 reserved, bytes 2–7 the usage
 * ids of up to six keys held down — then a report without it when released. A key counts once, on
 * the report where it first appears. Usage ids follow the HID Usage Tables (keyboard page 0x07) for
 * the US layout, the layout scanners are set to out of the box.
 */
export const BOOT_REPORT_SIZE = 8;

export const MOD_LEFT_CTRL = 0x01;
export const MOD_LEFT_SHIFT = 0x02;
export const MOD_RIGHT_SHIFT = 0x20;
const SHIFT = MOD_LEFT_SHIFT | MOD_RIGHT_SHIFT;

export const USAGE_ENTER = 0x28;
export const USAGE_KEYPAD_ENTER = 0x58;
export const USAGE_TAB = 0x2b;

/** usage id → [unshifted, shifted]. */
const KEYS = new Map<number, readonly [string, string]>();
for (let i = 0; i < 26; i += 1) KEYS.set(0x04 + i, [String.fromCharCode(97 + i), String.fromCharCode(65 + i)]);
['1!', '2@', '3#', '4$', '5%', '6^', '7&', '8*', '9(', '0)'].forEach((pair, i) => KEYS.set(0x1e + i, [pair[0]!, pair[1]!]));
KEYS.set(0x2c, [' ', ' ']);
([[0x2d, '-_'], [0x2e, '=+'], [0x2f, '[{'], [0x30, ']}'], [0x31, '\\|'], [0x33, ';:'], [0x34, '\'"'], [0x35, '`~'], [0x36, ',<'], [0x37, '.>'], [0x38, '/?']] as const)
  .forEach(([usage, pair]) => KEYS.set(usage, [pair.charAt(0), pair.charAt(1)]));
// Keypad: digits and operators whatever Num Lock says (scanners that use it send digits).
['1', '2', '3', '4', '5', '6', '7', '8', '9', '0'].forEach((d, i) => KEYS.set(0x59 + i, [d, d]));
([[0x54, '/'], [0x55, '*'], [0x56, '-'], [0x57, '+'], [0x63, '.']] as const).forEach(([usage, ch]) => KEYS.set(usage, [ch, ch]));

/** usage id and modifier byte that type `ch` on a US layout (for fakes and tests); null when it has no key. */
export function keyFor(ch: string): { usage: number; modifiers: number } | null {
  if (ch === '\n' || ch === '\r') return { usage: USAGE_ENTER, modifiers: 0 };
  for (const [usage, [plain, shifted]] of KEYS) {
    if (usage >= 0x54) break; // keypad duplicates: the main keys are what a keyboard sends
    if (plain === ch) return { usage, modifiers: 0 };
    if (shifted === ch) return { usage, modifiers: MOD_LEFT_SHIFT };
  }
  return null;
}

export type KeyEvent =
  | Readonly<{ kind: 'char'; char: string }>
  | Readonly<{ kind: 'enter' }>
  /** A key with no character (F-keys, arrows…): buttons often send one. */
  | Readonly<{ kind: 'key'; usage: number }>;

/** Turns a stream of reports into key presses; keys held across reports are not repeated. */
export class BootKeyboardDecoder {
  #held = new Set<number>();

  /** A report that is not 8 bytes, or the keyboard's "phantom" rollover-error state (usage 0x01), changes nothing. */
  feed(report: Uint8Array): KeyEvent[] {
    if (report.length !== BOOT_REPORT_SIZE) return [];
    const modifiers = report[0]!;
    const down = new Set<number>();
    for (let i = 2; i < BOOT_REPORT_SIZE; i += 1) {
      const usage = report[i]!;
      if (usage === 0x01) return [];
      if (usage !== 0) down.add(usage);
    }
    const events: KeyEvent[] = [];
    for (let i = 2; i < BOOT_REPORT_SIZE; i += 1) {
      const usage = report[i]!;
      if (usage === 0 || this.#held.has(usage)) continue;
      if (usage === USAGE_ENTER || usage === USAGE_KEYPAD_ENTER || usage === USAGE_TAB) {
        events.push({ kind: 'enter' });
        continue;
      }
      const key = KEYS.get(usage);
      if (key && (modifiers & ~SHIFT) === 0) events.push({ kind: 'char', char: key[(modifiers & SHIFT) !== 0 ? 1 : 0] });
      else events.push({ kind: 'key', usage });
    }
    this.#held = down;
    return events;
  }

  reset(): void {
    this.#held = new Set();
  }
}

/** Collects typed characters into lines: a scanner ends each code with Enter (or Tab). */
export class ScanLineAssembler {
  readonly #maxLength: number;
  #line = '';

  constructor(maxLength = 512) {
    this.#maxLength = maxLength;
  }

  /** The completed lines (trimmed, non-empty) these events finish. */
  push(events: readonly KeyEvent[]): string[] {
    const lines: string[] = [];
    for (const event of events) {
      if (event.kind === 'char') {
        if (this.#line.length < this.#maxLength) this.#line += event.char;
      } else if (event.kind === 'enter') {
        const line = this.#line.trim();
        this.#line = '';
        if (line.length > 0) lines.push(line);
      }
    }
    return lines;
  }
}
