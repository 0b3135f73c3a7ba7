import { spawnSync } from 'node:child_process';
import { closeSync, constants, openSync, rmSync, writeSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { BOOT_REPORT_SIZE, keyFor } from '../../hardware/inputs/hid-keyboard.ts';

/**
 * A USB HID keyboard-mode device (barcode scanner, call button) for tests: a named pipe under
 * /dev/shm standing where /dev/hidrawN would be, fed the bytes such a device sends — one 8-byte
 * boot keyboard report per key press (modifiers, reserved, six usage ids) and an empty report when
 * the key is released. The print agent reads it with its real hidraw reader.
 */
export type FakeHidKeyboard = Readonly<{
  path: string;
  /** Types the text (US layout: shift for capitals and symbols), each key pressed then released. */
  type(text: string): void;
  /** One key with no character (a call button sending F5, usage 0x3e). */
  press(usage: number): void;
  /** Raw reports, as they are written to the device. */
  sent(): Uint8Array[];
  close(): void;
}>;

export function createFakeHidKeyboard(): FakeHidKeyboard {
  const path = `/dev/shm/sq-fake-hid-${randomUUID()}`;
  const made = spawnSync('mkfifo', ['-m', '600', path]);
  if (made.status !== 0) throw new Error(`mkfifo ${path} failed: ${made.stderr.toString()}`);
  // Read-write so opening never blocks waiting for the reader, and the reader never sees EOF between reports.
  const fd = openSync(path, constants.O_RDWR);
  const reports: Uint8Array[] = [];
  const write = (modifiers: number, usage: number) => {
    const report = new Uint8Array(BOOT_REPORT_SIZE);
    report[0] = modifiers;
    report[2] = usage;
    reports.push(report);
    writeSync(fd, report);
  };
  const release = () => {
    const report = new Uint8Array(BOOT_REPORT_SIZE);
    reports.push(report);
    writeSync(fd, report);
  };
  return {
    path,
    type(text) {
      for (const ch of text) {
        const key = keyFor(ch);
        if (!key) throw new Error(`no US key types ${JSON.stringify(ch)}`);
        write(key.modifiers, key.usage);
        release();
      }
    },
    press(usage) {
      write(0, usage);
      release();
    },
    sent: () => [...reports],
    close() {
      closeSync(fd);
      rmSync(path, { force: true });
    },
  };
}
