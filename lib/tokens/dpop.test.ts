import { exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { getRuntimeDb } from '@/db/runtime';
import { createDpopProof, dpopThumbprint, rememberDpopProof, verifyDpopProof } from './dpop';

const URL_ = 'https://rp.example.test/api/v1/gate/evaluate';
const TOKEN = 'rp_token-value';

async function keyPair() {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const publicJwk = await exportJWK(publicKey);
  return { privateKey, publicJwk, jkt: await dpopThumbprint(publicJwk) };
}

describe('DPoP proofs (RFC 9449)', () => {
  it('accept a fresh proof for this method, URL, token and key', async () => {
    const key = await keyPair();
    const proof = await createDpopProof({ ...key, method: 'POST', url: URL_ + '?x=1', accessToken: TOKEN });
    const check = await verifyDpopProof({ proof, method: 'POST', urls: [URL_], accessToken: TOKEN, boundJkt: key.jkt });
    expect(check).toMatchObject({ ok: true, jkt: key.jkt });
  });

  it('refuse each way a proof can be wrong', async () => {
    const key = await keyPair();
    const other = await keyPair();
    const good = { ...key, method: 'POST', url: URL_, accessToken: TOKEN };
    const verify = (proof: string, boundJkt = key.jkt) => verifyDpopProof({ proof, method: 'POST', urls: [URL_], accessToken: TOKEN, boundJkt });
    const reason = async (proof: string, boundJkt?: string) => {
      const check = await verify(proof, boundJkt);
      return check.ok ? 'accepted' : check.reason;
    };
    expect(await reason(await createDpopProof({ ...good, method: 'GET' }))).toMatch(/htm/);
    expect(await reason(await createDpopProof({ ...good, url: 'https://evil.test/api/v1/gate/evaluate' }))).toMatch(/htu/);
    expect(await reason(await createDpopProof({ ...good, accessToken: 'rp_other' }))).toMatch(/ath/);
    expect(await reason(await createDpopProof({ ...good, iat: Math.floor(Date.now() / 1000) - 600 }))).toMatch(/fresh/);
    expect(await reason(await createDpopProof({ ...good, iat: Math.floor(Date.now() / 1000) + 600 }))).toMatch(/fresh/);
    expect(await reason(await createDpopProof(good), other.jkt)).toMatch(/not bound/);
    // Signed by one key while claiming another's public key.
    expect(await reason(await createDpopProof({ ...good, privateKey: other.privateKey }))).toMatch(/signature/);
    expect(await reason('not.a.jwt')).toMatch(/not a JWT|typ|signature/);
    const unsignedish = (await createDpopProof(good)).split('.').slice(0, 2).join('.') + '.';
    expect(await reason(unsignedish)).toMatch(/signature/);
  });

  it('refuse a replayed proof (jti remembered in the database)', async () => {
    const db = await getRuntimeDb();
    const key = await keyPair();
    const iat = Math.floor(Date.now() / 1000);
    expect(await rememberDpopProof(db, key.jkt, 'jti-00000001', iat)).toBe(true);
    expect(await rememberDpopProof(db, key.jkt, 'jti-00000001', iat)).toBe(false);
    expect(await rememberDpopProof(db, key.jkt, 'jti-00000002', iat)).toBe(true);
    expect(await rememberDpopProof(db, (await keyPair()).jkt, 'jti-00000001', iat)).toBe(true);
  });
});
