/** The 14 scopes of SmartQueue v1; a route names the one it needs and the JWT carries the member's set. */
export const SCOPES = [
  'read:queue',
  'write:queue',
  'manage:queue',
  'read:ticket',
  'write:ticket',
  'manage:ticket',
  'read:agent',
  'manage:agent',
  'read:customer',
  'write:customer',
  'read:reports',
  'read:feedback',
  'manage:settings',
  'send:notification',
] as const;
export type Scope = (typeof SCOPES)[number];

export const ROLES = ['admin', 'manager', 'agent'] as const;
export type Role = (typeof ROLES)[number];

// Frozen: these lists are handed out by reference and decide access.
const ROLE_SCOPES: Readonly<Record<Role, readonly Scope[]>> = Object.freeze({
  admin: Object.freeze([...SCOPES]),
  manager: Object.freeze(SCOPES.filter((s) => s !== 'manage:settings')),
  agent: Object.freeze<Scope[]>(['read:queue', 'write:queue', 'read:ticket', 'write:ticket', 'read:customer']),
});

/**
 * Devices are not members and hold no scopes: a paired device key grants a fixed, narrow set of
 * capabilities, so a stolen kiosk key can issue tickets but never read customers or reports.
 */
export const DEVICE_TYPES = ['kiosk', 'display', 'print_agent'] as const;
export type DeviceType = (typeof DEVICE_TYPES)[number];

export const DEVICE_CAPABILITIES = ['list-services', 'create-ticket', 'check-in', 'leave-feedback', 'read-display'] as const;
export type DeviceCapability = (typeof DEVICE_CAPABILITIES)[number];

const DEVICE_TYPE_CAPABILITIES: Readonly<Record<DeviceType, readonly DeviceCapability[]>> = Object.freeze({
  kiosk: Object.freeze<DeviceCapability[]>(['list-services', 'create-ticket', 'check-in', 'leave-feedback']),
  display: Object.freeze<DeviceCapability[]>(['read-display', 'list-services']),
  print_agent: Object.freeze<DeviceCapability[]>(['read-display']),
});

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export function isDeviceType(value: string): value is DeviceType {
  return (DEVICE_TYPES as readonly string[]).includes(value);
}

export function scopesForRole(role: Role): readonly Scope[] {
  return ROLE_SCOPES[role];
}

export function capabilitiesForDevice(type: DeviceType): readonly DeviceCapability[] {
  return DEVICE_TYPE_CAPABILITIES[type];
}

export function hasScope(granted: readonly Scope[], needed: Scope): boolean {
  return granted.includes(needed);
}

export function hasCapability(granted: readonly DeviceCapability[], needed: DeviceCapability): boolean {
  return granted.includes(needed);
}
