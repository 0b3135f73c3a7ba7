import { z } from 'zod';
import { Slug } from '../../branch-server/contract/common.ts';
import { CLOUD_PUBLIC, CLOUD_USER, defineCloudRoutes } from './cloud-route.ts';

/** HQ roles: the branch's three, plus the read-only analyst who works at HQ only. */
export const HqRole = z.enum(['admin', 'manager', 'agent', 'analyst']);
export type HqRole = z.infer<typeof HqRole>;
/** What a role may do at HQ: analyst read; manager read, manage; admin read, manage, admin. */
export const HqRight = z.enum(['read', 'manage', 'admin']);

export const HqUserDto = z.object({
  id: z.string(),
  email: z.string(),
  first_name: z.string(),
  last_name: z.string(),
  is_super_admin: z.boolean(),
  memberships: z.array(z.object({ tenant: Slug, tenant_name: z.string(), role: HqRole, rights: z.array(HqRight) })),
});
export type HqUserDto = z.infer<typeof HqUserDto>;

/** The branch's token pair (`POST /api/v1/auth/`), so the same clients sign in at HQ. */
export const HqTokenResponse = z.object({
  token: z.string(),
  refresh_token: z.string(),
  expires_in: z.number().int().describe('seconds until the access token expires'),
  token_type: z.literal('Bearer'),
  user: HqUserDto,
  scopes: z.array(HqRight).describe('rights in the first tenant membership'),
});

export const hqAuthRoutes = defineCloudRoutes({
  login: {
    method: 'post', path: '/api/v1/auth/', tag: 'auth', access: CLOUD_PUBLIC,
    summary: 'Sign in at HQ with e-mail and password; returns a short-lived JWT and a rotating refresh token',
    body: z.object({ email: z.string().trim().email().max(254), password: z.string().min(1).max(256) }).strict(),
    response: HqTokenResponse,
  },
  refresh: {
    method: 'post', path: '/api/v1/auth/refresh/', tag: 'auth', access: CLOUD_PUBLIC,
    summary: 'Exchange a refresh token for a new pair (the old one stops working; replaying it ends the session)',
    body: z.object({ refresh_token: z.string().min(10).max(200) }).strict(),
    response: HqTokenResponse,
  },
  me: {
    method: 'get', path: '/api/v1/auth/me/', tag: 'auth', access: CLOUD_USER,
    summary: 'The signed-in HQ user and their tenant memberships', response: HqUserDto,
  },
  logout: {
    method: 'post', path: '/api/v1/auth/logout/', tag: 'auth', access: CLOUD_USER,
    summary: 'End this session: its access and refresh tokens stop working at once',
    response: z.null(), status: 204,
  },
});
