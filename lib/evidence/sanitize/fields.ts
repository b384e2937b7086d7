/**
 * Field names whose string values are credentials whatever they look like (kubeconfig users,
 * connection settings, CI payloads). Compared without case, dashes, underscores or dots.
 */
const SENSITIVE_FIELDS = new Set([
  'password',
  'passwd',
  'secret',
  'clientsecret',
  'apikey',
  'apitoken',
  'accesskey',
  'secretkey',
  'secretaccesskey',
  'awssecretaccesskey',
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'authtoken',
  'token',
  'bearertoken',
  'privatekey',
  'clientkeydata',
  'sshprivatekey',
  'webhooksecret',
  'sessiontoken',
]);

/** Environment-style names: GITHUB_TOKEN, DB_PASSWORD, STRIPE_SECRET, SENDGRID_API_KEY... */
const SENSITIVE_SUFFIXES = ['token', 'password', 'passwd', 'secret', 'apikey', 'privatekey', 'secretkey', 'accesskey'];

export function isSensitiveField(name: string): boolean {
  const normalized = name.toLowerCase().replace(/[-_.]/g, '');
  return SENSITIVE_FIELDS.has(normalized) || SENSITIVE_SUFFIXES.some((suffix) => normalized.endsWith(suffix));
}

/**
 * A secret scanner's finding as its own JSON writes it: the keys that show an object is one, and
 * the fields holding what it found (replaced whole, whatever their format). gitleaks' "Secret"
 * goes by its name above; its "Match" is the line holding it. TruffleHog's "Raw" and "RawV2" are
 * the secret with its context. Read by the JSON sanitizer (by object) and the text patterns.
 */
export const SECRET_SCANNER_FINDINGS = [
  { scanner: 'gitleaks', keys: ['Secret'], found: ['Match'] },
  { scanner: 'trufflehog', keys: ['DetectorName', 'DetectorType'], found: ['Raw', 'RawV2'] },
] as const;
