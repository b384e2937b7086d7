/** GET /api/v1/whoami: the caller as the server sees it. */
import type { z } from 'zod';
import { ROLE_VERBS, verbToScope } from '@/lib/access/verbs';
import type { whoami } from '@/lib/api/endpoints/identity';
import type { ApiContext } from '@/lib/http/with-api';
import { listMemberships } from '@/lib/workspaces/store';

export async function describeCaller(ctx: ApiContext<typeof whoami>): Promise<z.input<typeof whoami.response>> {
  const { actor, workspace, token } = ctx;
  if (actor?.type === 'token' && token) {
    return {
      kind: 'token',
      workspace,
      scopes: actor.scopes.map(verbToScope),
      token: {
        id: token.id,
        name: token.name,
        prefix: token.prefix,
        services: token.services ?? null,
        environments: token.environments ?? null,
        expiresAt: token.expiresAt.toISOString(),
        dpopBound: token.dpopJkt !== null,
      },
      user: null,
      role: null,
      workspaces: null,
    };
  }
  const session = ctx.session!;
  const memberships = workspace ? null : await listMemberships(ctx.db, session.user.id);
  return {
    kind: 'user',
    workspace,
    scopes: actor?.type === 'member' ? [...ROLE_VERBS[actor.role]].map(verbToScope) : [],
    token: null,
    user: { id: session.user.id, email: session.user.email, name: session.user.name },
    role: actor?.type === 'member' ? actor.role : null,
    workspaces: memberships?.map((m) => ({ ...m.workspace, role: m.role })) ?? null,
  };
}
