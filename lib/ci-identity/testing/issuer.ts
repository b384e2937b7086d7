/**
 * A real OIDC issuer on localhost for tests: discovery document and JWKS over HTTP, ID tokens
 * signed with its keys, in the claim shapes GitHub Actions and GitLab CI use.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';

export interface TestIssuer {
  url: string;
  /** How often the JWKS was served (to see caching and refresh). */
  jwksFetches(): number;
  /** Signs an ID token; `key: 'unpublished'` uses a key the JWKS does not list. */
  sign(claims: JWTPayload, options?: { key?: 'published' | 'unpublished'; issuedAt?: number; expiresIn?: number }): Promise<string>;
  close(): Promise<void>;
}

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

async function signingKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

export async function startTestIssuer(): Promise<TestIssuer> {
  const published = await signingKey('published-1');
  const unpublished = await signingKey('unpublished-1');
  let fetches = 0;
  let url = '';
  const server = http.createServer((request, response) => {
    if (request.url === '/.well-known/openid-configuration') {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ issuer: url, jwks_uri: `${url}/.well-known/jwks`, id_token_signing_alg_values_supported: ['RS256'] }));
    } else if (request.url === '/.well-known/jwks') {
      fetches += 1;
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ keys: [published.jwk] }));
    } else {
      response.statusCode = 404;
      response.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    jwksFetches: () => fetches,
    async sign(claims, options = {}) {
      const key = options.key === 'unpublished' ? unpublished : published;
      const now = options.issuedAt ?? Math.floor(Date.now() / 1000);
      return new SignJWT({ jti: crypto.randomUUID(), ...claims })
        .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
        .setIssuer(typeof claims.iss === 'string' ? claims.iss : url)
        .setIssuedAt(now)
        .setNotBefore(typeof claims.nbf === 'number' ? claims.nbf : now)
        .setExpirationTime(now + (options.expiresIn ?? 300))
        .sign(key.privateKey);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Claims as GitHub Actions puts them in a job's ID token. */
export function githubClaims(audience: string, overrides: Record<string, unknown> = {}): JWTPayload {
  return {
    aud: audience,
    sub: 'repo:acme/api:ref:refs/heads/main',
    repository: 'acme/api',
    repository_owner: 'acme',
    ref: 'refs/heads/main',
    ref_type: 'branch',
    workflow: 'release',
    workflow_ref: 'acme/api/.github/workflows/release.yml@refs/heads/main',
    event_name: 'push',
    run_id: '9876543210',
    run_attempt: '1',
    runner_environment: 'github-hosted',
    ...overrides,
  };
}

/** Claims as GitLab CI puts them in an `id_tokens:` token. */
export function gitlabClaims(audience: string, overrides: Record<string, unknown> = {}): JWTPayload {
  return {
    aud: audience,
    sub: 'project_path:acme/platform/api:ref_type:branch:ref:main',
    namespace_path: 'acme/platform',
    project_path: 'acme/platform/api',
    ref: 'main',
    ref_type: 'branch',
    ref_protected: 'true',
    pipeline_id: '1234567',
    pipeline_source: 'push',
    job_id: '7654321',
    ci_config_ref_uri: 'gitlab.example/acme/platform/api//.gitlab-ci.yml@refs/heads/main',
    environment: 'production',
    ...overrides,
  };
}
