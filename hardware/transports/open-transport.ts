import { SerialPrinter } from './serial.ts';
import { TcpPrinter } from './tcp.ts';
import type { PrinterTransport, TransportTimeouts } from './transport.ts';
import { UsbPrinter } from './usb.ts';

/** Where a configured printer is (the connection fields of a `printer` row). */
export type PrinterAddress = Readonly<{
  transport: 'network' | 'serial' | 'usb';
  host: string | null;
  port: number | null;
  path: string | null;
  baud_rate: number | null;
  vendor_id: number | null;
  product_id: number | null;
}>;

export function openTransport(address: PrinterAddress, timeouts: Partial<TransportTimeouts> = {}): PrinterTransport {
  switch (address.transport) {
    case 'network':
      return new TcpPrinter({ host: address.host ?? '127.0.0.1', port: address.port ?? 9100 }, timeouts);
    case 'serial':
      return new SerialPrinter({ path: address.path ?? '', baudRate: address.baud_rate ?? 9600 }, timeouts);
    case 'usb':
      return new UsbPrinter({ vendorId: address.vendor_id, productId: address.product_id, path: address.path }, timeouts);
  }
}
