import { open } from 'node:fs/promises';
import { unknownStatus, type PrinterStatus } from './printer-status.ts';
import { DEFAULT_TIMEOUTS, TransportError, type PrinterTransport, type TransportTimeouts } from './transport.ts';

export type UsbTarget = Readonly<{ vendorId: number | null; productId: number | null; path: string | null }>;

type UsbModule = typeof import('usb');

export type UsbSupport = Readonly<{ available: true } | { available: false; reason: string }>;

let loaded: Promise<UsbModule> | null = null;

/**
 * `usb` needs libusb: it is imported on first use only, so a machine without it runs everything
 * else and reports 'usb-unavailable' with the reason (shown in the printer's health).
 */
function loadUsb(): Promise<UsbModule> {
  loaded ??= import('usb').catch((error: unknown) => {
    loaded = null;
    throw new TransportError('usb-unavailable', `USB printing is unavailable on this machine: ${error instanceof Error ? error.message : String(error)}`);
  });
  return loaded;
}

export async function probeUsbSupport(): Promise<UsbSupport> {
  try {
    await loadUsb();
    return { available: true };
  } catch (error) {
    return { available: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * A USB printer: through the Linux printer-class device (`/dev/usb/lp0`, written like a file), or
 * directly by vendor/product id with libusb (bulk OUT endpoint; status from the bulk IN endpoint).
 */
export class UsbPrinter implements PrinterTransport {
  readonly #target: UsbTarget;
  readonly #timeouts: TransportTimeouts;
  #release: (() => Promise<void>) | null = null;

  constructor(target: UsbTarget, timeouts: Partial<TransportTimeouts> = {}) {
    this.#target = target;
    this.#timeouts = { ...DEFAULT_TIMEOUTS, ...timeouts };
  }

  async status(): Promise<PrinterStatus> {
    if (this.#target.path) return unknownStatus('the usblp device gives no real-time status');
    try {
      await loadUsb();
    } catch (error) {
      return { ...unknownStatus(error instanceof Error ? error.message : String(error)), state: 'offline', online: false };
    }
    return unknownStatus('real-time status is not read over USB by this build');
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (this.#target.path) {
      await writeDeviceFile(this.#target.path, bytes, this.#timeouts.writeMs);
      return;
    }
    const usb = await loadUsb();
    const { vendorId, productId } = this.#target;
    if (vendorId === null || productId === null) throw new TransportError('device-not-found', 'A USB printer needs vendor and product ids or a device path.');
    const device = usb.findByIds(vendorId, productId);
    if (!device) throw new TransportError('device-not-found', `No USB device ${hex(vendorId)}:${hex(productId)} is connected.`);
    device.open();
    const iface = device.interfaces?.find((i) => i.endpoints.some((e) => e.direction === 'out'));
    if (!iface) {
      device.close();
      throw new TransportError('device-not-found', `USB device ${hex(vendorId)}:${hex(productId)} has no OUT endpoint.`);
    }
    if (process.platform === 'linux' && iface.isKernelDriverActive()) iface.detachKernelDriver();
    iface.claim();
    this.#release = () => new Promise<void>((resolve) => iface.release(true, () => {
      device.close();
      resolve();
    }));
    const endpoint = iface.endpoints.find((e) => e.direction === 'out') as InstanceType<UsbModule['OutEndpoint']>;
    endpoint.timeout = this.#timeouts.writeMs;
    await new Promise<void>((resolve, reject) => {
      endpoint.transfer(Buffer.from(bytes), (error) => (error ? reject(new TransportError('write-failed', `USB write failed: ${error.message}`)) : resolve()));
    });
  }

  async close(): Promise<void> {
    const release = this.#release;
    this.#release = null;
    await release?.();
  }
}

async function writeDeviceFile(path: string, bytes: Uint8Array, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const handle = await open(path, 'a').catch((error: NodeJS.ErrnoException) => {
    throw new TransportError(error.code === 'ENOENT' ? 'device-not-found' : 'connect-failed', `Cannot open ${path}: ${error.message}`);
  });
  try {
    await Promise.race([
      handle.write(bytes),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new TransportError('write-timeout', `${path} did not take the data within ${timeoutMs} ms.`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    await handle.close();
  }
}

const hex = (n: number) => `0x${n.toString(16).padStart(4, '0')}`;
