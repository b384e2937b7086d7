/**
 * The one authorization question every sensitive operation asks: may this actor do this verb to
 * this resource? Members are judged by their role (the table in ./verbs.ts), API tokens by their
 * scopes and their service / environment limits. Anything not explicitly granted is refused, and
 * every refusal says why, so the audit log can record it.
 */
import type { Role } from '@/db/schema/runtime';
import { ROLE_VERBS, TOKEN_VERBS, verbToScope, type Verb } from './verbs';

/** A signed-in person acting inside one workspace, with the role of their membership there. */
export interface MemberActor {
  type: 'member';
  userId: string;
  email: string;
  name: string;
  workspaceId: string;
  role: Role;
  sessionId: string | null;
}

/** A CI pipeline's API token: belongs to exactly one workspace. */
export interface TokenActor {
  type: 'token';
  tokenId: string;
  name: string;
  workspaceId: string;
  scopes: readonly Verb[];
  /** Service slugs the token is limited to; null means every service. */
  services: readonly string[] | null;
  /** Environment slugs the token is limited to; null means every environment. */
  environments: readonly string[] | null;
}

/**
 * Someone with direct access to the installation (the `rp admin` CLI, start-up work). They hold
 * the database credentials already, so the role table does not bind them; they are audited.
 */
export interface OperatorActor {
  type: 'operator';
  label: string;
}

export type Actor = MemberActor | TokenActor | OperatorActor;

/**
 * What is being acted on. `service` and `environment` are slugs; when an operation concerns one
 * service or environment it must name it, so that a token limited to others is refused. An
 * operation that names neither is workspace-wide: token limits then restrict what the handler
 * returns (see visibleServices), not whether it runs.
 */
export interface Resource {
  workspaceId: string;
  service?: string | null;
  environment?: string | null;
}

export type AccessDecision = { allowed: true } | { allowed: false; reason: string };

const ALLOWED: AccessDecision = { allowed: true };

export function authorize(actor: Actor, verb: Verb, resource: Resource): AccessDecision {
  if (actor.type === 'operator') return ALLOWED;
  if (actor.workspaceId !== resource.workspaceId) {
    return { allowed: false, reason: 'the resource belongs to another workspace' };
  }
  if (actor.type === 'member') {
    return ROLE_VERBS[actor.role]?.has(verb)
      ? ALLOWED
      : { allowed: false, reason: `the ${actor.role} role does not grant ${verb}` };
  }
  if (!TOKEN_VERBS.includes(verb) || !actor.scopes.includes(verb)) {
    return { allowed: false, reason: `the token lacks the ${verbToScope(verb)} scope` };
  }
  if (resource.service != null && actor.services !== null && !actor.services.includes(resource.service)) {
    return { allowed: false, reason: `the token is not valid for service "${resource.service}"` };
  }
  if (resource.environment != null && actor.environments !== null && !actor.environments.includes(resource.environment)) {
    return { allowed: false, reason: `the token is not valid for environment "${resource.environment}"` };
  }
  return ALLOWED;
}

/** `can(actor, verb, resource)`: the yes/no form of authorize(). */
export function can(actor: Actor, verb: Verb, resource: Resource): boolean {
  return authorize(actor, verb, resource).allowed;
}

/**
 * For workspace-wide reads (lists): the service and environment slugs the actor may see, or null
 * for all. Handlers filter their queries with it so a limited token never sees other services.
 */
export function visibleScope(actor: Actor): { services: readonly string[] | null; environments: readonly string[] | null } {
  if (actor.type !== 'token') return { services: null, environments: null };
  return { services: actor.services, environments: actor.environments };
}
