/**
 * How a passport's DSSE envelope is stored. The envelope's payload is the base64 of the passport's
 * canonical JSON, which the row already holds as text (passports.payload, exactly as signed), so
 * the envelope column keeps only what the payload text does not say: the payload type and the
 * signatures. That is 5 KB less per passport to write, log (WAL) and compress on every gate
 * evaluation, and the same envelope read back: DSSE signs PAE(payloadType, payload bytes), never
 * the JSON around them. The payload text is the one source of the signed bytes: rows written
 * before this kept the base64 payload in the envelope too, and it is not read, so the statement
 * the console shows and the envelope anyone downloads are always the same bytes, and a change to
 * either breaks the signature.
 */
import type { DsseEnvelope, DsseSignature } from './dsse';

/** What the envelope column holds: the envelope without its payload (older rows: with it, unread). */
export interface StoredEnvelope {
  payloadType: string;
  signatures: DsseSignature[];
}

export function envelopeToStore(envelope: DsseEnvelope): StoredEnvelope {
  return { payloadType: envelope.payloadType, signatures: envelope.signatures };
}

/** The whole envelope of a stored passport, from its payload text and its envelope column. */
export function envelopeFromStored(row: { payload: string; envelope: unknown }): DsseEnvelope {
  const stored = row.envelope as StoredEnvelope;
  return {
    payloadType: stored.payloadType,
    payload: Buffer.from(row.payload, 'utf8').toString('base64'),
    signatures: stored.signatures,
  };
}
