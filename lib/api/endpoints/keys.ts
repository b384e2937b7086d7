/** A workspace's passport signing keys, public, at a stable URL, for offline verification. */
import { z } from 'zod';
import { defineEndpoint } from '../endpoint';
import { workspaceSlugSchema } from '@/lib/domain/primitives';

const publicJwkSchema = z.object({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: z.string(), kid: z.string(), alg: z.literal('EdDSA'), use: z.literal('sig') });

export const workspaceKeysSchema = z
  .object({
    workspace: z.string(),
    jwksUri: z.string().meta({ description: 'The same keys as a standard JWK Set (RFC 7517), for verifiers that take one.' }),
    keys: z.array(
      z.object({
        keyId: z.string().meta({ description: 'RFC 7638 JWK thumbprint; DSSE signatures name it as keyid.' }),
        algorithm: z.literal('ed25519'),
        publicKeyPem: z.string(),
        jwk: publicJwkSchema,
        status: z.enum(['active', 'retired']),
        createdAt: z.string(),
        retiredAt: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: 'WorkspaceKeys' });

export const workspaceKeys = defineEndpoint({
  id: 'keys.list',
  method: 'GET',
  path: '/api/v1/workspaces/{workspace}/keys',
  summary: "A workspace's public signing keys",
  description:
    'Every key that has signed passports in this workspace (retired ones too, so old passports keep verifying). ' +
    'No credentials needed: `rp verify --keys <this URL> passport.json` checks a passport offline with them.',
  tags: ['Passports'],
  auth: 'public',
  verb: null,
  params: z.object({ workspace: workspaceSlugSchema }),
  status: 200,
  response: workspaceKeysSchema,
  errors: [404],
});

export const workspaceJwks = defineEndpoint({
  id: 'keys.jwks',
  method: 'GET',
  path: '/api/v1/workspaces/{workspace}/jwks',
  summary: "A workspace's public signing keys as a JWK Set",
  description:
    'RFC 7517 JWK Set (`application/jwk-set+json`) of every key that has signed passports in this workspace, retired ones too ' +
    '(their status and retirement time are in the keys document, which links here). For verifiers that take a JWKS URL.',
  tags: ['Passports'],
  auth: 'public',
  verb: null,
  params: z.object({ workspace: workspaceSlugSchema }),
  status: 200,
  response: z.object({ keys: z.array(publicJwkSchema) }).meta({ id: 'JwkSet' }),
  responseMediaTypes: ['application/jwk-set+json'],
  errors: [404],
});
