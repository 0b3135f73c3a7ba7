import { z } from 'zod';
import { Role, Slug } from './common.ts';
import { defineRoutes, PUBLIC, USER } from './route.ts';

export const UserDto = z.object({
  id: z.string(),
  email: z.string(),
  first_name: z.string(),
  last_name: z.string(),
  memberships: z.array(z.object({ tenant: Slug, tenant_name: z.string(), role: Role, scopes: z.array(z.string()) })),
});

export const TokenResponse = z.object({
  token: z.string(),
  refresh_token: z.string(),
  expires_in: z.number().int().describe('seconds until the access token expires'),
  token_type: z.literal('Bearer'),
  user: UserDto,
  scopes: z.array(z.string()).describe('scopes of the first tenant membership'),
});

export const authRoutes = defineRoutes({
  login: {
    method: 'post', path: '/api/v1/auth/', tag: 'auth', access: PUBLIC,
    summary: 'Sign in with e-mail and password; returns a short-lived JWT and a rotating refresh token',
    body: z.object({ email: z.string().trim().email().max(254), password: z.string().min(1).max(256) }).strict(),
    response: TokenResponse,
  },
  refresh: {
    method: 'post', path: '/api/v1/auth/refresh/', tag: 'auth', access: PUBLIC,
    summary: 'Exchange a refresh token for a new token pair (the old refresh token stops working)',
    body: z.object({ refresh_token: z.string().min(10).max(200) }).strict(),
    response: TokenResponse,
  },
  me: {
    method: 'get', path: '/api/v1/auth/me/', tag: 'auth', access: USER,
    summary: 'The signed-in user and memberships', response: UserDto,
  },
  logout: {
    method: 'post', path: '/api/v1/auth/logout/', tag: 'auth', access: USER,
    summary: 'Revoke this session: its access and refresh tokens stop working at once',
    response: z.null(), status: 204,
  },
});
