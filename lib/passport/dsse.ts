/**
 * DSSE (Dead Simple Signing Envelope, github.com/secure-systems-lab/dsse, protocol v1): the
 * signature covers PAE(payloadType, payload), never the JSON around it, so the envelope can be
 * re-serialized freely. Written here because PAE is five lines of the spec; Ed25519 comes from
 * node:crypto. cosign, in-toto and sigstore tooling verify the same envelopes.
 */
import crypto from 'node:crypto';

export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

export interface DsseSignature {
  keyid: string;
  sig: string;
}

export interface DsseEnvelope {
  payloadType: string;
  /** Base64 (standard alphabet) of the payload bytes. */
  payload: string;
  signatures: DsseSignature[];
}

/** PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, lengths in bytes, ASCII decimal. */
export function pae(payloadType: string, payload: Uint8Array): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `, 'utf8'), type, Buffer.from(` ${payload.length} `, 'utf8'), payload]);
}

export function signEnvelope(payload: Uint8Array, payloadType: string, key: { keyId: string; privateKey: crypto.KeyObject }): DsseEnvelope {
  const sig = crypto.sign(null, pae(payloadType, payload), key.privateKey);
  return { payloadType, payload: Buffer.from(payload).toString('base64'), signatures: [{ keyid: key.keyId, sig: sig.toString('base64') }] };
}

/** True when `signature` is an Ed25519 signature of the envelope's PAE by `publicKey`. */
export function verifySignature(envelope: DsseEnvelope, signature: DsseSignature, publicKey: crypto.KeyObject): boolean {
  const payload = Buffer.from(envelope.payload, 'base64');
  const sig = Buffer.from(signature.sig, 'base64');
  try {
    return crypto.verify(null, pae(envelope.payloadType, payload), publicKey, sig);
  } catch {
    return false;
  }
}
