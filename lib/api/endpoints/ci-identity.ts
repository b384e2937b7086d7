/** CI identity: trust policies (admin) and the RFC 8693 token exchange CI calls without a stored secret. */
import { z } from 'zod';
import { trustPolicyInputSchema } from '@/lib/ci-identity/policies';
import { defineEndpoint } from '../endpoint';

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const ID_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:id_token';
export const JWT_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:jwt';
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

/** The form fields of a token exchange request (RFC 8693 section 2.1), plus the workspace. */
export const tokenExchangeRequestSchema = z.object({
  grant_type: z.literal(TOKEN_EXCHANGE_GRANT, { message: `grant_type must be ${TOKEN_EXCHANGE_GRANT}` }),
  subject_token: z.string().min(1, 'send the CI ID token as subject_token').max(16_384),
  subject_token_type: z.enum([ID_TOKEN_TYPE, JWT_TOKEN_TYPE], { message: `subject_token_type must be ${ID_TOKEN_TYPE}` }),
  requested_token_type: z.literal(ACCESS_TOKEN_TYPE).optional(),
  /** The workspace slug whose trust policies apply (the RP-Workspace header is accepted too). */
  workspace: z.string().min(1).max(63).optional(),
  scope: z.string().max(500).optional(),
  audience: z.string().max(500).optional(),
  resource: z.string().max(500).optional(),
});

const ciIdentitySchema = z.record(z.string(), z.string()).meta({ id: 'CiIdentity' });

export const tokenExchange = defineEndpoint({
  id: 'token.exchange',
  method: 'POST',
  path: '/api/v1/token',
  summary: 'Exchange a CI ID token for a gate token',
  description:
    'RFC 8693 token exchange, form-encoded: `grant_type=' + TOKEN_EXCHANGE_GRANT + '`, `subject_token` = the OIDC ID token GitHub Actions or GitLab CI gives the job, ' +
    '`subject_token_type=' + ID_TOKEN_TYPE + '`, and `workspace` (or the `RP-Workspace` header). The ID token is checked against a trust policy of the workspace ' +
    '(issuer and its JWKS, audience, expiry, not-before, claim conditions, a jti used once); the answer is a gate token valid at most 15 minutes with the policy\'s scopes, ' +
    'bound to a DPoP key when the request carries a `DPoP` proof. A refusal is a 401 problem naming the failed check; the token is never echoed.',
  tags: ['Identity'],
  auth: 'public',
  verb: null,
  rawBody: { mediaTypes: ['application/x-www-form-urlencoded'], maxBytes: 32_768 },
  status: 200,
  response: z
    .object({
      access_token: z.string(),
      issued_token_type: z.literal(ACCESS_TOKEN_TYPE),
      token_type: z.enum(['Bearer', 'DPoP']),
      expires_in: z.number().int().positive(),
      scope: z.string(),
      ci_identity: ciIdentitySchema,
    })
    .meta({ id: 'TokenExchangeResponse' }),
  errors: [400, 413, 415],
});

const trustPolicySchema = z
  .object({
    id: z.string().uuid(),
    name: z.string(),
    issuer: z.string(),
    audience: z.string(),
    conditions: z.record(z.string(), z.string()),
    scopes: z.array(z.string()),
    services: z.array(z.string()).nullable(),
    environments: z.array(z.string()).nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'CiTrustPolicy' });

export const listTrustPoliciesEndpoint = defineEndpoint({
  id: 'ci_trust_policy.list',
  method: 'GET',
  path: '/api/v1/ci-trust-policies',
  summary: 'CI trust policies',
  description: 'The trust policies of the workspace named by the `RP-Workspace` header: which CI identities may exchange their ID token for a gate token.',
  tags: ['Identity'],
  auth: 'session',
  verb: 'settings.read',
  status: 200,
  response: z.object({ policies: z.array(trustPolicySchema) }),
  errors: [],
});

export const createTrustPolicyEndpoint = defineEndpoint({
  id: 'ci_trust_policy.create',
  method: 'POST',
  path: '/api/v1/ci-trust-policies',
  summary: 'Add a CI trust policy',
  description:
    'Admins only. `issuer` is `github`, `gitlab` or an issuer URL; `conditions` maps ID token claims to an exact value or a `*` pattern ' +
    '(e.g. `{"repository": "acme/api", "ref": "refs/heads/main"}`); scopes, services and environments limit the gate token like an API token\'s.',
  tags: ['Identity'],
  auth: 'session',
  verb: 'member.manage',
  body: trustPolicyInputSchema,
  status: 201,
  response: trustPolicySchema,
  errors: [400, 409],
});

export const deleteTrustPolicyEndpoint = defineEndpoint({
  id: 'ci_trust_policy.delete',
  method: 'DELETE',
  path: '/api/v1/ci-trust-policies/{id}',
  summary: 'Remove a CI trust policy',
  description: 'Admins only. Gate tokens already issued under it stay valid until they expire (at most 15 minutes).',
  tags: ['Identity'],
  auth: 'session',
  verb: 'member.manage',
  params: z.object({ id: z.string().uuid('a trust policy id is a UUID') }),
  status: 204,
  response: z.null(),
  errors: [400, 404],
});
