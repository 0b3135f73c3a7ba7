import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { probeUsbSupport, UsbPrinter } from '../../../hardware/transports/usb.ts';

describe('UsbPrinter', () => {
  it('writes to a printer-class device path like a file (as /dev/usb/lp0) and reports status unknown', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sq-lp-'));
    try {
      const path = join(dir, 'lp0');
      const transport = new UsbPrinter({ vendorId: null, productId: null, path });
      await transport.write(Buffer.from('A001\n'));
      await transport.write(Buffer.from('A002\n'));
      await transport.close();
      expect(readFileSync(path, 'utf8')).toBe('A001\nA002\n');
      expect((await transport.status()).state).toBe('unknown');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says whether libusb loaded, and fails a missing device with device-not-found instead of crashing', async () => {
    const support = await probeUsbSupport();
    const transport = new UsbPrinter({ vendorId: 0xfffe, productId: 0xfffe, path: null });
    if (support.available) {
      await expect(transport.write(Uint8Array.of(1))).rejects.toMatchObject({ code: 'device-not-found' });
    } else {
      expect(support.reason).toMatch(/unavailable/);
      await expect(transport.write(Uint8Array.of(1))).rejects.toMatchObject({ code: 'usb-unavailable' });
    }
  });
});
