import { z } from 'zod';

/** Messages between the shell's main process and the branch server it forks (utilityProcess). */
export const ToServer = z.discriminatedUnion('type', [
  /** Which tickets are held (called, in service, paused) anywhere in the branch right now. */
  z.object({ type: z.literal('activity'), id: z.number().int() }).strict(),
  /** First run of a standalone server (no HQ): the tenant and its first administrator. */
  z.object({
    type: z.literal('create-tenant'), name: z.string(), slug: z.string(), adminEmail: z.string(), adminPassword: z.string(),
  }).strict(),
]);
export type ToServer = z.infer<typeof ToServer>;

export const FromServer = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), url: z.string(), port: z.number().int(), enrolled: z.boolean(), tenants: z.number().int() }).strict(),
  z.object({ type: z.literal('activity'), id: z.number().int(), tickets: z.array(z.string()) }).strict(),
  z.object({ type: z.literal('tenant-created'), slug: z.string() }).strict(),
  z.object({ type: z.literal('error'), message: z.string() }).strict(),
  /** The server could not start (bad configuration, a database from a newer version): restarting will not help until someone acts. */
  z.object({ type: z.literal('fatal'), message: z.string() }).strict(),
]);
export type FromServer = z.infer<typeof FromServer>;

/** Exit code of a server that refused to start for a reason a restart cannot fix. */
export const EXIT_FATAL = 78;
