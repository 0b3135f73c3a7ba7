/** Branded identifiers: a TicketId cannot be passed where a QueueId is expected. All are UUIDv7 strings. */
type Brand<T, B extends string> = T & { readonly __brand: B };

export type TenantId = Brand<string, 'TenantId'>;
export type SiteId = Brand<string, 'SiteId'>;
export type ServiceId = Brand<string, 'ServiceId'>;
export type QueueId = Brand<string, 'QueueId'>;
export type TicketId = Brand<string, 'TicketId'>;
export type UserId = Brand<string, 'UserId'>;
export type CustomerId = Brand<string, 'CustomerId'>;
export type DeviceId = Brand<string, 'DeviceId'>;
export type AppointmentId = Brand<string, 'AppointmentId'>;

/** Epoch milliseconds. Domain code never reads the clock: `now` is always passed in. */
export type EpochMs = number;
