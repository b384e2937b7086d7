/**
 * Downloads the console offers: report exports (passports, decisions, audit log) and a passport's
 * signed DSSE envelope. Plain links in the console (the workspace is in the path, the session
 * cookie authenticates), and the same contract for anyone scripting them.
 */
import { passportIdSchema } from '@/lib/domain/primitives';
import { z } from 'zod';
import { auditFiltersSchema, passportFiltersSchema } from '@/lib/console/filters';
import { FORMATS } from '@/lib/reports/formats';
import { REPORTS } from '@/lib/reports/sources';
import { defineEndpoint } from '../endpoint';
import { passportEnvelopeSchema } from './passports';

/** An HTML form sends every field, empty ones as "": empty means "any", as in the console's lists. */
function blankable<T extends Record<string, z.ZodOptional<z.ZodType>>>(shape: T) {
  return Object.fromEntries(
    Object.entries(shape).map(([name, field]) => [name, z.union([field.unwrap(), z.literal('').transform(() => undefined)]).optional()]),
  ) as { [K in keyof T]: z.ZodOptional<z.ZodUnion<[ReturnType<T[K]['unwrap']>, z.ZodPipe<z.ZodLiteral<''>, z.ZodTransform<undefined, ''>>]>> };
}

export const exportReport = defineEndpoint({
  id: 'report.export',
  method: 'GET',
  path: '/api/v1/workspaces/{workspace}/reports/{report}',
  summary: 'Export a report',
  description:
    'Streams the passports, the gate decisions (with every rule’s result) or the audit log of the workspace as JSON, CSV or Markdown, ' +
    'with the same filters as the console’s lists (`service`, `environment`, `decision`, `mode`, `from`, `to` for passports and decisions; ' +
    '`actor`, `action`, `resource`, `outcome`, `from`, `to` for the audit log; dates are UTC days, both ends included). ' +
    'Every value is sanitized: tokens, kubeconfig credentials, private keys, payment keys and secret values are replaced by `[redacted:<kind>]`. ' +
    'The export is recorded in the audit log.',
  tags: ['Reports'],
  auth: 'session',
  verb: 'report.export',
  params: z.object({ workspace: z.string(), report: z.enum(REPORTS) }),
  query: z.object({ ...blankable({ ...passportFiltersSchema.shape, ...auditFiltersSchema.shape }), format: z.enum(FORMATS).default('csv') }),
  status: 200,
  response: z.string().meta({ description: 'The report, as a download (Content-Disposition: attachment).' }),
  responseMediaTypes: ['application/json', 'text/csv', 'text/markdown'],
  errors: [400, 404],
});

export const passportVsa = defineEndpoint({
  id: 'passport.vsa',
  method: 'GET',
  path: '/api/v1/workspaces/{workspace}/passports/{id}/vsa',
  summary: 'Download the passport as an SLSA Verification Summary Attestation',
  description:
    'The same decision as an SLSA VSA (`https://slsa.dev/verification_summary/v1`) in a DSSE envelope signed by the key that signed the passport: ' +
    '`verificationResult` PASSED when the gate allowed the release (FAILED on a deny), `verifiedLevels` `RELEASE_PASSPORT_ENV_<environment>` when PASSED. ' +
    'For cosign (`cosign attach attestation`), slsa-verifier and admission controllers. 409 once that key has retired (a retired key signs nothing new): judge the release again.',
  tags: ['Passports'],
  auth: 'token-or-session',
  verb: 'passport.read',
  params: z.object({ workspace: z.string(), id: passportIdSchema }),
  status: 200,
  response: passportEnvelopeSchema,
  responseMediaTypes: ['application/vnd.dsse.envelope.v1+json'],
  errors: [404, 409],
});

export const passportEnvelope = defineEndpoint({
  id: 'passport.envelope',
  method: 'GET',
  path: '/api/v1/workspaces/{workspace}/passports/{id}/envelope',
  summary: 'Download a signed passport',
  description:
    'The passport’s DSSE envelope exactly as signed, as a file: verify it offline with `rp verify passport-<id>.dsse.json --key <public key>` ' +
    'or any DSSE / in-toto tooling.',
  tags: ['Passports'],
  auth: 'token-or-session',
  verb: 'passport.read',
  params: z.object({ workspace: z.string(), id: passportIdSchema }),
  status: 200,
  response: passportEnvelopeSchema,
  responseMediaTypes: ['application/vnd.dsse.envelope.v1+json'],
  errors: [404],
});
