import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export type DeviceInputKind = 'scanner' | 'button';
export type DeviceInputSource = 'serial' | 'hid';

/** A scanner or call button plugged into the PC of a device agent (a `print_agent` device). */
export interface DeviceInputTable {
  id: string;
  tenant_id: string;
  device_id: string;
  name: string;
  kind: DeviceInputKind;
  /** serial: lines on a serial port; hid: 8-byte boot keyboard reports read from a hidraw device. */
  source: DeviceInputSource;
  /** As seen from the agent's PC: /dev/ttyACM0, COM4, /dev/hidraw2. */
  path: string;
  baud_rate: number | null;
  /** The agent whose desk a scan opens and for whom a button calls next (required for buttons). */
  agent_user_id: string | null;
  /** As last reported by the agent: it opened the input, or could not. */
  state: Generated<'unknown' | 'ok' | 'error'>;
  last_error: Generated<string>;
  last_event_at: number | null;
  created_at: number;
  updated_at: number;
}

export type DeviceInputRow = Selectable<DeviceInputTable>;
export type NewDeviceInputRow = Insertable<DeviceInputTable>;
export type DeviceInputRowUpdate = Updateable<DeviceInputTable>;
