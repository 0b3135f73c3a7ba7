import { describe, expect, it } from 'vitest';
import {
  DEVICE_TYPES,
  ROLES,
  SCOPES,
  capabilitiesForDevice,
  hasCapability,
  hasScope,
  isDeviceType,
  isRole,
  isScope,
  scopesForRole,
} from '../../../branch-server/domain/rbac.ts';

describe('scopes', () => {
  it('lists the 14 scopes of SmartQueue v1', () => {
    expect([...SCOPES].sort()).toEqual(
      [
        'manage:agent',
        'manage:queue',
        'manage:settings',
        'manage:ticket',
        'read:agent',
        'read:customer',
        'read:feedback',
        'read:queue',
        'read:reports',
        'read:ticket',
        'send:notification',
        'write:customer',
        'write:queue',
        'write:ticket',
      ].sort(),
    );
  });

  it('recognises scope, role and device type names', () => {
    expect(isScope('read:queue')).toBe(true);
    expect(isScope('read:everything')).toBe(false);
    expect(isRole('manager')).toBe(true);
    expect(isRole('super-admin')).toBe(false);
    expect(isDeviceType('print_agent')).toBe(true);
    expect(isDeviceType('phone')).toBe(false);
  });
});

describe('scopesForRole', () => {
  it('gives an admin every scope', () => {
    expect([...scopesForRole('admin')]).toEqual([...SCOPES]);
  });

  it('gives a manager everything but settings', () => {
    expect(scopesForRole('manager')).toHaveLength(13);
    expect(hasScope(scopesForRole('manager'), 'manage:settings')).toBe(false);
    expect(scopesForRole('manager')).toEqual(SCOPES.filter((s) => s !== 'manage:settings'));
  });

  it('gives an agent read/write on queues and tickets and read on customers', () => {
    expect([...scopesForRole('agent')].sort()).toEqual(['read:customer', 'read:queue', 'read:ticket', 'write:queue', 'write:ticket']);
  });

  it.each(SCOPES.map((scope) => [scope] as const))('decides who holds %s', (scope) => {
    const holders = ROLES.filter((role) => hasScope(scopesForRole(role), scope));
    expect(holders).toContain('admin');
    expect(holders.includes('manager')).toBe(scope !== 'manage:settings');
  });

  it('hands out lists that cannot be altered', () => {
    expect(Object.isFrozen(scopesForRole('agent'))).toBe(true);
    expect(() => (scopesForRole('agent') as string[]).push('manage:settings')).toThrow(TypeError);
  });
});

describe('capabilitiesForDevice', () => {
  it.each([
    ['kiosk', ['list-services', 'create-ticket', 'check-in', 'leave-feedback']],
    ['display', ['read-display', 'list-services']],
    ['print_agent', ['read-display']],
  ] as const)('lets a %s do %j', (type, capabilities) => {
    expect([...capabilitiesForDevice(type)]).toEqual(capabilities);
  });

  it('never lets a display or print agent create tickets', () => {
    expect(DEVICE_TYPES.filter((type) => hasCapability(capabilitiesForDevice(type), 'create-ticket'))).toEqual(['kiosk']);
  });
});
