import { describe, expect, it } from 'vitest';
import { BootKeyboardDecoder, keyFor, ScanLineAssembler, type KeyEvent } from '../../../hardware/inputs/hid-keyboard.ts';
import { SerialLineAssembler } from '../../../hardware/inputs/serial-source.ts';

const report = (...bytes: number[]) => Uint8Array.from([...bytes, 0, 0, 0, 0, 0, 0, 0, 0].slice(0, 8));
const RELEASE = report();

describe('HID boot keyboard reports', () => {
  it('decodes what a scanner sends for "Ab-1" then Enter: press and release reports, shift in the modifier byte', () => {
    const decoder = new BootKeyboardDecoder();
    // Captured shape of a keyboard-wedge scanner: [modifiers, 0, usage, 0, 0, 0, 0, 0], then all zero.
    const stream = [
      report(0x02, 0, 0x04), RELEASE, // Shift + a → A
      report(0x00, 0, 0x05), RELEASE, // b
      report(0x00, 0, 0x2d), RELEASE, // -
      report(0x00, 0, 0x1e), RELEASE, // 1
      report(0x00, 0, 0x28), RELEASE, // Enter
    ];
    const events = stream.flatMap((r) => decoder.feed(r));
    expect(events).toEqual([
      { kind: 'char', char: 'A' }, { kind: 'char', char: 'b' }, { kind: 'char', char: '-' }, { kind: 'char', char: '1' }, { kind: 'enter' },
    ]);
    expect(new ScanLineAssembler().push(events)).toEqual(['Ab-1']);
  });

  it('counts a key held across reports once, and a key added while another is held (rollover) once', () => {
    const decoder = new BootKeyboardDecoder();
    expect(decoder.feed(report(0, 0, 0x04))).toEqual([{ kind: 'char', char: 'a' }]);
    expect(decoder.feed(report(0, 0, 0x04))).toEqual([]);
    expect(decoder.feed(report(0, 0, 0x04, 0x05))).toEqual([{ kind: 'char', char: 'b' }]);
    expect(decoder.feed(report(0, 0, 0x05))).toEqual([]);
    expect(decoder.feed(RELEASE)).toEqual([]);
    expect(decoder.feed(report(0, 0, 0x04))).toEqual([{ kind: 'char', char: 'a' }]);
  });

  it('reports keys without a character (F5 on a call button, Ctrl+letter) as bare keys, and ignores rollover errors and short reports', () => {
    const decoder = new BootKeyboardDecoder();
    expect(decoder.feed(report(0, 0, 0x3e))).toEqual([{ kind: 'key', usage: 0x3e }]);
    expect(decoder.feed(RELEASE)).toEqual([]);
    expect(decoder.feed(report(0x01, 0, 0x06))).toEqual([{ kind: 'key', usage: 0x06 }]);
    expect(decoder.feed(report(0, 0, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01))).toEqual([]);
    expect(decoder.feed(Uint8Array.of(0, 0, 0x04))).toEqual([]);
  });

  it('types every printable ASCII character through keyFor and reads it back', () => {
    const text = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');
    const decoder = new BootKeyboardDecoder();
    const events: KeyEvent[] = [];
    for (const ch of `${text}\n`) {
      const key = keyFor(ch)!;
      expect(key, JSON.stringify(ch)).not.toBeNull();
      events.push(...decoder.feed(report(key.modifiers, 0, key.usage)), ...decoder.feed(RELEASE));
    }
    expect(new ScanLineAssembler(200).push(events)).toEqual([text.trim()]);
    expect(keyFor('é')).toBeNull();
  });

  it('keypad digits and keypad Enter read like the main keys', () => {
    const decoder = new BootKeyboardDecoder();
    const events = [report(0, 0, 0x59), RELEASE, report(0, 0, 0x62), RELEASE, report(0, 0, 0x58), RELEASE].flatMap((r) => decoder.feed(r));
    expect(new ScanLineAssembler().push(events)).toEqual(['10']);
  });
});

describe('serial scanner lines', () => {
  it('ends a scan on CR, LF or CR LF, across chunks, skipping empty lines and control bytes', () => {
    const lines = new SerialLineAssembler();
    expect(lines.push(Buffer.from('ABC'))).toEqual([]);
    expect(lines.push(Buffer.from('DEF\r\n\r\nhttp://x/t/abc\n'))).toEqual(['ABCDEF', 'http://x/t/abc']);
    expect(lines.push(Buffer.from('\x02XY\x03\r'))).toEqual(['XY']);
  });
});
