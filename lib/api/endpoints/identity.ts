/** Identity endpoints: who the caller is. */
import { z } from 'zod';
import { roleSchema } from '@/lib/domain/primitives';
import { defineEndpoint } from '../endpoint';

const workspaceSchema = z.object({ id: z.string().uuid(), slug: z.string(), name: z.string() });

export const whoami = defineEndpoint({
  id: 'whoami',
  method: 'GET',
  path: '/api/v1/whoami',
  summary: 'Who is calling',
  description:
    'The caller as the server sees it: the API token (its workspace, scopes, limits and expiry) or the signed-in person ' +
    '(with the `RP-Workspace` header: their role and permissions in that workspace; without it: the workspaces they belong to). ' +
    'Use it in CI to check that a token works before a release depends on it.',
  tags: ['Identity'],
  auth: 'token-or-session',
  verb: null,
  status: 200,
  response: z.object({
    kind: z.enum(['token', 'user']),
    workspace: workspaceSchema.nullable(),
    /** The permissions the caller holds in `workspace`, written as token scopes (`gate:evaluate`). */
    scopes: z.array(z.string()),
    token: z
      .object({
        id: z.string().uuid(),
        name: z.string(),
        prefix: z.string(),
        services: z.array(z.string()).nullable(),
        environments: z.array(z.string()).nullable(),
        expiresAt: z.string(),
        dpopBound: z.boolean(),
      })
      .nullable(),
    user: z.object({ id: z.string().uuid(), email: z.string(), name: z.string() }).nullable(),
    role: roleSchema.nullable(),
    /** For a signed-in person: every workspace they belong to. */
    workspaces: z.array(workspaceSchema.extend({ role: roleSchema })).nullable(),
  }),
  errors: [400, 404],
});
