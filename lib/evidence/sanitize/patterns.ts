/**
 * Secret formats the sanitizer recognises in free text (string values, comments, log output).
 * Each match is replaced by `[redacted:<kind>]`; only the kind and where it was are reported,
 * never the value. Patterns are deliberately specific (known prefixes, key-value context), so
 * digests, purls and version strings are never mistaken for secrets.
 */

import { SECRET_SCANNER_FINDINGS } from './fields';

export const SECRET_KINDS = [
  'private-key',
  'release-passport-token',
  'github-token',
  'gitlab-token',
  'aws-access-key-id',
  'aws-secret-access-key',
  'stripe-key',
  'slack-token',
  'google-api-key',
  'npm-token',
  'jwt',
  'bearer-token',
  'url-credentials',
  'password-assignment',
  'kubernetes-secret',
  'kubeconfig-credential',
  'credential-field',
  'secret-scanner-finding',
] as const;

export type SecretKind = (typeof SECRET_KINDS)[number];

interface SecretPattern {
  kind: SecretKind;
  regex: RegExp;
  /** Rebuilds the match with the secret part replaced (keeps context such as "Bearer "). */
  replace?: (match: string, ...groups: string[]) => string;
  /**
   * Recognised by the context around it (a field name, "Bearer ", a URL) rather than by a
   * vendor's own prefix. Identifiers such as "cpe:2.3:a:base-passwd:..." can look like that
   * context, so these patterns are not applied inside identifier fields; prefixed formats are.
   */
  contextual?: true;
  /**
   * Applied only to a text in which this also appears (a secret scanner's own key). A check of the
   * whole text, not a lookaround at each match: that keeps every pattern linear in the text's size.
   */
  when?: RegExp;
}

/** A double quote as JSON text carries it, also XML-escaped (JSON inside a JUnit report). */
const JSON_QUOTE = '"|&#34;|&quot;';

/**
 * A JSON string field named one of `names`: group 1 is the name, colon and opening quote, group 2
 * the quote as written, group 3 the value (up to its closing quote, escapes included).
 */
function jsonStringField(names: readonly string[]): RegExp {
  return new RegExp(`((${JSON_QUOTE})(?:${names.join('|')})\\2\\s*:\\s*\\2)((?:(?!\\2)[^\\\\\\n]|\\\\.)+?)\\2`, 'g');
}

export function redactionMarker(kind: SecretKind): string {
  return `[redacted:${kind}]`;
}

const PATTERNS: readonly SecretPattern[] = [
  // PEM private keys of every flavour (RSA, EC, OPENSSH, ENCRYPTED, PGP ... BLOCK); a truncated
  // key (no END line) is redacted to the end of the text.
  {
    kind: 'private-key',
    regex: /-----BEGIN[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----|$)/g,
  },
  // The same key base64-encoded (kubeconfig client-key-data, Secret data): "-----BEGIN" then
  // "PRIVATE KE" at any of the three base64 alignments within the header line.
  {
    kind: 'private-key',
    regex: /\bLS0tLS1CRUdJTi[A-Za-z0-9+/]{0,40}?(?:UFJJVkFURSBLRV|BSSVZBVEUgS0VZ|UklWQVRFIEtFW)[A-Za-z0-9+/=]*/g,
  },
  { kind: 'release-passport-token', regex: /\brp_[A-Za-z0-9_-]{20,}/g },
  { kind: 'github-token', regex: /\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})/g },
  { kind: 'gitlab-token', regex: /\bglpat-[A-Za-z0-9_-]{20,}/g },
  { kind: 'aws-access-key-id', regex: /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/g },
  {
    kind: 'aws-secret-access-key',
    contextual: true,
    regex: /(aws_?secret_?access_?key|secretAccessKey)(["']?\s*[:=]\s*["']?)([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])/gi,
    replace: (_match, name, separator) => `${name}${separator}${redactionMarker('aws-secret-access-key')}`,
  },
  { kind: 'stripe-key', regex: /\b(?:(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}|whsec_[A-Za-z0-9+/=]{20,})/g },
  { kind: 'slack-token', regex: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g },
  { kind: 'google-api-key', regex: /\bAIza[0-9A-Za-z_-]{35}/g },
  { kind: 'npm-token', regex: /\bnpm_[A-Za-z0-9]{36}/g },
  { kind: 'jwt', regex: /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g },
  {
    kind: 'bearer-token',
    contextual: true,
    regex: /\b(bearer)(\s+)([A-Za-z0-9._~+/-]{16,}=*)/gi,
    replace: (_match, word, space) => `${word}${space}${redactionMarker('bearer-token')}`,
  },
  {
    kind: 'url-credentials',
    contextual: true,
    regex: /\b([a-z][a-z0-9+.-]{1,20}:\/\/)([^\s:@/"'<>]{1,256}):([^\s@/"'<>]{1,256})@/gi,
    replace: (_match, scheme, user) => `${scheme}${user}:${redactionMarker('url-credentials')}@`,
  },
  {
    kind: 'password-assignment',
    contextual: true,
    regex: /(?<![A-Za-z0-9])(password|passwd|pwd|secret|api[_-]?key|(?:secret|access|private)[_-]?key|access[_-]?token|auth[_-]?token|client[_-]?secret)(\s*[:=]\s*)(["']?)(?!\[redacted:)([^\s"',;]{6,})\3/gi,
    replace: (_match, name, separator, quote) => `${name}${separator}${quote}${redactionMarker('password-assignment')}${quote}`,
  },
  // An environment assignment of a credential-named variable, as CI logs, provenance and container
  // specs carry them: "NPM_TOKEN=...", "DB_PASSWORD=...", "SENTRY_AUTH_TOKEN=..." (upper case, as
  // environment names are; the value is replaced, the name kept).
  {
    kind: 'credential-field',
    contextual: true,
    regex: /(?<![A-Za-z0-9_])([A-Z][A-Z0-9_]*_(?:TOKEN|PASSWORD|PASSWD|SECRET|API_?KEY|PRIVATE_?KEY|SECRET_?KEY|ACCESS_?KEY|CREDENTIALS?))(\s*=\s*)(["']?)(?!\[redacted:)([^\s"',;]{6,})\3/g,
    replace: (_match, name, separator, quote) => `${name}${separator}${quote}${redactionMarker('credential-field')}${quote}`,
  },
  // A secret scanner's finding written out as JSON, as gitleaks puts it in the failures of its JUnit
  // report (XML-escaped there): "Secret" is the secret, whatever its format. The value between the
  // quotes is replaced; the quotes stay as they were written.
  {
    kind: 'credential-field',
    contextual: true,
    regex: jsonStringField(['Secret']),
    replace: (_match, prefix, quote) => `${prefix}${redactionMarker('credential-field')}${quote}`,
  },
  // What a secret scanner found (gitleaks' "Match", TruffleHog's "Raw" and "RawV2"), written out
  // as JSON in a log or a JUnit failure, in a text that has the scanner's own key too.
  ...SECRET_SCANNER_FINDINGS.map(
    ({ keys, found }): SecretPattern => ({
      kind: 'secret-scanner-finding',
      contextual: true,
      when: new RegExp(`(${JSON_QUOTE})(?:${keys.join('|')})\\1\\s*:`),
      regex: jsonStringField(found),
      replace: (_match, prefix, quote) => `${prefix}${redactionMarker('secret-scanner-finding')}${quote}`,
    }),
  ),
  // Credentials of a kubeconfig (or any YAML / text) by their field name: client-key-data, token,
  // id-token, refresh-token (JSON keys of these names are caught by fields.ts). Last, so that the
  // formats above name what they recognise first.
  {
    kind: 'kubeconfig-credential',
    contextual: true,
    regex: /(?<![A-Za-z0-9_-])(client-key-data|(?:id-|refresh-)?token)(\s*:\s*)(["']?)(?!\[redacted:)([^\s"',;]{8,})\3/gi,
    replace: (_match, name, separator, quote) => `${name}${separator}${quote}${redactionMarker('kubeconfig-credential')}${quote}`,
  },
];

/** Byte-for-byte quick test: could this text hold a secret? (Used to skip most strings cheaply.) */
export function findSecretCandidates(text: string): Array<{ start: number; end: number }> {
  const ranges: Array<{ start: number; end: number }> = [];
  for (const pattern of PATTERNS) {
    if (pattern.when && !pattern.when.test(text)) continue;
    pattern.regex.lastIndex = 0;
    for (const match of text.matchAll(pattern.regex)) {
      ranges.push({ start: match.index, end: match.index + match[0].length });
    }
  }
  return ranges.sort((a, b) => a.start - b.start);
}

export interface TextRedaction {
  kind: SecretKind;
  /** Character offset of the match (in the text as it was when this pattern ran). */
  index: number;
}

/**
 * Replaces every recognised secret in `text`; returns the new text and what was found where.
 * `prefixedOnly` applies only the formats a vendor's prefix identifies (for identifier fields).
 */
export function redactText(text: string, options: { prefixedOnly?: boolean } = {}): { text: string; found: TextRedaction[] } {
  const found: TextRedaction[] = [];
  let out = text;
  for (const pattern of PATTERNS) {
    if (options.prefixedOnly && pattern.contextual) continue;
    if (pattern.when && !pattern.when.test(out)) continue;
    pattern.regex.lastIndex = 0;
    if (!pattern.regex.test(out)) continue;
    pattern.regex.lastIndex = 0;
    out = out.replace(pattern.regex, (match: string, ...rest: unknown[]) => {
      // rest: groups..., offset, whole string (no named groups in these patterns)
      const groups = rest.slice(0, -2) as string[];
      found.push({ kind: pattern.kind, index: rest[rest.length - 2] as number });
      return pattern.replace ? pattern.replace(match, ...groups) : redactionMarker(pattern.kind);
    });
  }
  found.sort((a, b) => a.index - b.index);
  return { text: out, found };
}
