import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { applyRewritesToBuffer, type Analysis } from '../analyze';
import { analyzeBytes, FAKE_SECRETS, junit, sha256Hex, statement, dsseEnvelope } from '../testing/fixtures';
import { findSecretCandidates, redactText } from './patterns';

/** The bytes the store would keep for `input`. */
function storedBytes(input: string, analysis: Analysis): string {
  if (analysis.output.type === 'unchanged') return input;
  if (analysis.output.type === 'text') return analysis.output.text;
  return Buffer.concat(applyRewritesToBuffer(Buffer.from(input), analysis.output.rewrites)).toString('utf8');
}

const SECRET_VALUES = Object.values(FAKE_SECRETS);
const safeText = fc.stringMatching(/^[a-z0-9 .]{0,24}$/);

describe('secret patterns', () => {
  it.each(Object.entries(FAKE_SECRETS))('finds a %s secret inside other text', (_kind, secret) => {
    const { text, found } = redactText(`before ${secret} after`);
    expect(found.length).toBeGreaterThan(0);
    expect(text).not.toContain(secret);
    expect(text).toMatch(/^before \[redacted:[a-z-]+\] after$/);
  });

  it('keeps the context around bearer tokens, URL passwords and assignments', () => {
    expect(redactText('Authorization: Bearer abcdefghijklmnop0123456789').text).toBe('Authorization: Bearer [redacted:bearer-token]');
    expect(redactText('postgres://app:s3cr3t-pw@db:5432/app').text).toBe('postgres://app:[redacted:url-credentials]@db:5432/app');
    expect(redactText('DB_PASSWORD=hunter2hunter2 next').text).toBe('DB_PASSWORD=[redacted:password-assignment] next');
    // Environment values of credential-named variables, whatever the value looks like.
    expect(redactText('env NPM_TOKEN=0a1b2c3d4e5f GITHUB_TOKEN="plainvalue99" CI=true').text).toBe(
      'env NPM_TOKEN=[redacted:credential-field] GITHUB_TOKEN="[redacted:credential-field]" CI=true',
    );
    expect(redactText('MAX_TOKEN=4096 tokenizer=x').found).toHaveLength(0);
    expect(redactText('aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY').text).toBe(
      'aws_secret_access_key = [redacted:aws-secret-access-key]',
    );
  });

  it('never mistakes digests, purls, versions or uuids for secrets', () => {
    const harmless = fc.oneof(
      fc.stringMatching(/^[0-9a-f]{64}$/).map((hex) => `sha256:${hex}`),
      fc.stringMatching(/^[a-z][a-z0-9-]{1,20}$/).map((pkg) => `pkg:npm/${pkg}@1.2.3`),
      fc.uuid(),
      fc.stringMatching(/^v?[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}(-rc\.[0-9])?$/),
      fc.stringMatching(/^[0-9a-f]{40}$/),
    );
    fc.assert(
      fc.property(harmless, (text) => {
        expect(findSecretCandidates(text)).toEqual([]);
      }),
    );
  });
});

describe('sanitizing JSON evidence', () => {
  type Tree = string | number | boolean | null | Tree[] | { [key: string]: Tree };
  const leaf = fc.oneof(
    safeText,
    fc.tuple(safeText, fc.constantFrom(...SECRET_VALUES), safeText).map(([a, secret, b]) => `${a} ${secret} ${b}`),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
  );
  const { tree } = fc.letrec<{ tree: Tree }>((tie) => ({
    tree: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.array(tie('tree'), { maxLength: 4 }),
      fc.dictionary(fc.stringMatching(/^[a-z]{1,8}$/), tie('tree'), { maxKeys: 4 }),
    ),
  }));

  function strings(value: Tree, out: string[] = []): string[] {
    if (typeof value === 'string') out.push(value);
    else if (Array.isArray(value)) value.forEach((item) => strings(item, out));
    else if (value && typeof value === 'object') Object.values(value).forEach((item) => strings(item, out));
    return out;
  }

  it('removes every secret, keeps valid JSON, and leaves every other value as it was', async () => {
    await fc.assert(
      fc.asyncProperty(tree, fc.boolean(), async (document, pretty) => {
        const input = JSON.stringify(document, null, pretty ? 2 : undefined);
        const analysis = await analyzeBytes('custom', input);
        const output = storedBytes(input, analysis);
        for (const secret of SECRET_VALUES) expect(output).not.toContain(secret.slice(0, 24));
        const before = strings(document);
        const after = strings(JSON.parse(output) as Tree);
        expect(after.length).toBe(before.length);
        let redacted = 0;
        before.forEach((value, index) => {
          if (SECRET_VALUES.some((secret) => value.includes(secret))) {
            expect(after[index]).toMatch(/\[redacted:[a-z-]+\]/);
            redacted++;
          } else {
            expect(after[index]).toBe(value);
          }
        });
        expect(analysis.redactions.count).toBeGreaterThanOrEqual(redacted);
        if (redacted === 0) expect(sha256Hex(output)).toBe(sha256Hex(input));
      }),
      { numRuns: 150 },
    );
  });

  it('reports where and what, never the value', async () => {
    const input = JSON.stringify({ build: { env: [`GITHUB_TOKEN=${FAKE_SECRETS.github}`] }, notes: `key ${FAKE_SECRETS.privateKey}` });
    const analysis = await analyzeBytes('custom', input);
    expect(analysis.redactions).toEqual({
      count: 2,
      byKind: { 'github-token': 1, 'private-key': 1 },
      items: [
        { kind: 'github-token', location: '/build/env/0' },
        { kind: 'private-key', location: '/notes' },
      ],
      truncated: false,
    });
    expect(JSON.stringify(analysis)).not.toContain(FAKE_SECRETS.github);
  });

  it('replaces all data of a Kubernetes Secret, even when "kind" comes last', async () => {
    const secret = { apiVersion: 'v1', data: { 'db-password': 'aHVudGVyMg==', tls: 'LS0tLS1CRUdJTg==' }, stringData: { plain: 'hunter2' }, metadata: { name: 'db' }, kind: 'Secret' };
    const configMap = { apiVersion: 'v1', kind: 'ConfigMap', data: { color: 'blue' } };
    const input = JSON.stringify({ kind: 'List', items: [secret, configMap] });
    const analysis = await analyzeBytes('custom', input);
    const output = JSON.parse(storedBytes(input, analysis)) as { items: Array<{ data: Record<string, string>; stringData?: Record<string, string> }> };
    expect(output.items[0]!.data).toEqual({ 'db-password': '[redacted:kubernetes-secret]', tls: '[redacted:kubernetes-secret]' });
    expect(output.items[0]!.stringData).toEqual({ plain: '[redacted:kubernetes-secret]' });
    expect(output.items[1]!.data).toEqual({ color: 'blue' });
    expect(analysis.redactions.items).toEqual([
      { kind: 'kubernetes-secret', location: '/items/0/data/db-password' },
      { kind: 'kubernetes-secret', location: '/items/0/data/tls' },
      { kind: 'kubernetes-secret', location: '/items/0/stringData/plain' },
    ]);
  });

  it('keeps CPEs, purls, bom-refs and hashes byte for byte, so a Debian SBOM keeps its digest', async () => {
    // The shape syft writes for the base-passwd package of a Debian image (CPE in "cpe" and in a syft:cpe23 property).
    const sbom = {
      bomFormat: 'CycloneDX',
      specVersion: '1.5',
      components: [
        {
          'bom-ref': 'pkg:deb/debian/base-passwd@3.6.1?arch=amd64&distro=debian-12&package-id=8e2e6a5c4b1d0f3a',
          type: 'library',
          name: 'base-passwd',
          version: '3.6.1',
          cpe: 'cpe:2.3:a:base-passwd:base-passwd:3.6.1:*:*:*:*:*:*:*',
          purl: 'pkg:deb/debian/base-passwd@3.6.1?arch=amd64&distro=debian-12',
          hashes: [{ alg: 'SHA-256', content: 'passwd=0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab' }],
          properties: [{ name: 'syft:cpe23', value: 'cpe:2.3:a:base_passwd:base-passwd:3.6.1:*:*:*:*:*:*:*' }],
        },
      ],
    };
    const input = JSON.stringify(sbom);
    const analysis = await analyzeBytes('sbom', input);
    expect(analysis.redactions.count).toBe(0);
    expect(sha256Hex(storedBytes(input, analysis))).toBe(sha256Hex(input));
  });

  it('still redacts a prefixed token pasted into an identifier field such as "ref"', async () => {
    // Found by the property test below (seed -1001891246): identifier fields were skipped entirely.
    const input = JSON.stringify({ dependencies: [{ ref: ` ${FAKE_SECRETS.github} ` }], purl: `pkg:npm/x@1?token=${FAKE_SECRETS.stripe}` });
    const analysis = await analyzeBytes('custom', input);
    const stored = storedBytes(input, analysis);
    expect(stored).not.toContain(FAKE_SECRETS.github);
    expect(stored).not.toContain(FAKE_SECRETS.stripe);
    expect(JSON.parse(stored)).toEqual({ dependencies: [{ ref: ' [redacted:github-token] ' }], purl: 'pkg:npm/x@1?token=[redacted:stripe-key]' });
  });

  it('replaces the value of a credential-named property or environment entry, not its name', async () => {
    const sbom = {
      bomFormat: 'CycloneDX',
      specVersion: '1.5',
      metadata: { properties: [{ value: 'literal-value-1', name: 'api_token' }, { name: 'build:branch', value: 'main' }] },
      components: [],
    };
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      spec: { template: { spec: { containers: [{ name: 'api', env: [{ name: 'API_KEY', value: 'abc123-literal' }, { name: 'LOG_LEVEL', value: 'debug' }] }] } } },
    };
    const sbomAnalysis = await analyzeBytes('sbom', JSON.stringify(sbom));
    const storedSbom = JSON.parse(storedBytes(JSON.stringify(sbom), sbomAnalysis)) as typeof sbom;
    expect(storedSbom.metadata.properties).toEqual([
      { value: '[redacted:credential-field]', name: 'api_token' },
      { name: 'build:branch', value: 'main' },
    ]);
    expect(sbomAnalysis.redactions.items).toEqual([{ kind: 'credential-field', location: '/metadata/properties/0/value' }]);
    const manifest = JSON.stringify(deployment);
    const manifestAnalysis = await analyzeBytes('custom', manifest);
    const storedManifest = JSON.parse(storedBytes(manifest, manifestAnalysis)) as typeof deployment;
    expect(storedManifest.spec.template.spec.containers[0]!.env).toEqual([
      { name: 'API_KEY', value: '[redacted:credential-field]' },
      { name: 'LOG_LEVEL', value: 'debug' },
    ]);
  });

  it('replaces credential fields of a kubeconfig whatever their value looks like', async () => {
    const kubeconfig = {
      apiVersion: 'v1',
      kind: 'Config',
      users: [{ name: 'ci', user: { token: 'opaque-value', 'client-key-data': 'LS0tLS1CRUdJTiBFQyBQUklWQVRFIEtFWS0tLS0t' } }],
      clusters: [{ name: 'prod', cluster: { server: 'https://k8s.example.com' } }],
    };
    const input = JSON.stringify(kubeconfig);
    const analysis = await analyzeBytes('custom', input);
    const output = JSON.parse(storedBytes(input, analysis)) as typeof kubeconfig;
    expect(output.users[0]!.user).toEqual({ token: '[redacted:credential-field]', 'client-key-data': '[redacted:credential-field]' });
    expect(output.clusters).toEqual(kubeconfig.clusters);
  });

  it('finds a secret that straddles the boundary between two read chunks', async () => {
    const filler = 'x'.repeat(1024 * 1024 - 20);
    const input = JSON.stringify({ filler, token: `${FAKE_SECRETS.github}`, also: `see ${FAKE_SECRETS.slack}` });
    const analysis = await analyzeBytes('custom', input);
    const output = storedBytes(input, analysis);
    expect(output).not.toContain(FAKE_SECRETS.github);
    expect(output).not.toContain(FAKE_SECRETS.slack);
    expect(output.length).toBeLessThan(input.length);
  });

  it('sanitizes the statement inside a DSSE envelope and says the signature no longer covers it', async () => {
    const inner = { ...statement([{ name: 'app', sha256: 'a'.repeat(64) }]), predicate: { env: { NPM_TOKEN: FAKE_SECRETS.github } } };
    const input = JSON.stringify(dsseEnvelope(inner));
    const analysis = await analyzeBytes('provenance', input);
    const output = JSON.parse(storedBytes(input, analysis)) as { payload: string };
    const payload = Buffer.from(output.payload, 'base64').toString('utf8');
    expect(payload).not.toContain(FAKE_SECRETS.github);
    expect(JSON.parse(payload)).toMatchObject({ predicate: { env: { NPM_TOKEN: '[redacted:credential-field]' } } });
    expect(analysis.summary).toMatchObject({ envelope: { modifiedBySanitizer: true } });
    expect(analysis.redactions.items).toEqual([{ kind: 'credential-field', location: 'payload /predicate/env/NPM_TOKEN' }]);
  });
});

describe("sanitizing a secret scanner's SARIF", () => {
  const SNIPPET = '/runs/0/results/0/locations/0/physicalLocation/region/snippet/text';
  type Sarif = { runs: Array<{ tool: { driver: { name: string } }; results: Array<{ locations: Array<{ physicalLocation: { region: Record<string, unknown> } }> }> }> };
  const regionOf = (sarif: Sarif, run = 0) => sarif.runs[run]!.results[0]!.locations[0]!.physicalLocation.region;

  it("replaces gitleaks' snippets whole, a secret of no known format included, and keeps the rest byte for byte", async () => {
    // gitleaks' own expected SARIF: its one result's snippet is the matched line, "a secret".
    const input = fs.readFileSync(path.join(import.meta.dirname, '../testing/real/gitleaks-8-sarif-simple.sarif'), 'utf8');
    const analysis = await analyzeBytes('sarif', input);
    const output = storedBytes(input, analysis);
    expect(output).not.toContain('a secret"');
    const stored = JSON.parse(output) as Sarif;
    expect(regionOf(stored).snippet).toEqual({ text: '[redacted:secret-scanner-finding]' });
    expect(analysis.redactions.items).toEqual([{ kind: 'secret-scanner-finding', location: SNIPPET }]);
    // Only the snippet's bytes changed: the result, its rule, lines and fingerprints are as gitleaks wrote them.
    expect(output).toBe(input.replace('"a secret"', '"[redacted:secret-scanner-finding]"'));
    expect(analysis.summary).toMatchObject({ format: 'sarif', tools: ['gitleaks'], results: 1 });
  });

  it('waits for the tool when a run lists its results first, and leaves other tools\' snippets alone', async () => {
    const location = (text: string) => ({ physicalLocation: { artifactLocation: { uri: 'src/db.ts' }, region: { startLine: 3, snippet: { text }, contextRegion: { startLine: 2, snippet: { text: `// config\n${text}` } } } } });
    const result = (text: string) => ({ ruleId: 'generic', message: { text: 'found' }, locations: [location(text)], relatedLocations: [location(text)] });
    const sarif = {
      version: '2.1.0',
      runs: [
        { results: [result('const conn = "Zx81-internal-key";')], tool: { driver: { name: 'detect-secrets' } } },
        { tool: { driver: { name: 'CodeQL' } }, results: [result('const query = `select * from users where id = ${id}`;')] },
        { tool: { driver: { name: 'Semgrep Secrets' } }, results: [result('deploy_key: Qm9vbS1rZXk')] },
      ],
    };
    const input = JSON.stringify(sarif, null, 2);
    const analysis = await analyzeBytes('sarif', input);
    const stored = JSON.parse(storedBytes(input, analysis)) as Sarif;
    for (const run of [0, 2]) {
      expect(regionOf(stored, run)).toMatchObject({ snippet: { text: '[redacted:secret-scanner-finding]' }, contextRegion: { snippet: { text: '[redacted:secret-scanner-finding]' } } });
    }
    expect(JSON.stringify(stored)).not.toMatch(/Zx81-internal-key|Qm9vbS1rZXk/);
    // CodeQL's snippet is code to read next to its finding, not a secret.
    expect(stored.runs[1]).toEqual(sarif.runs[1]);
    expect(analysis.redactions.byKind).toEqual({ 'secret-scanner-finding': 8 });
  });

  it('replaces the message arguments of a rule about hard-coded credentials, and keeps those of other rules', async () => {
    // A message given by id, its text in the rule's messageStrings (SARIF 2.1.0, 3.11.7): the
    // argument filled into {0} is the value. Constructed, in the shape SARIF specifies.
    const log = {
      version: '2.1.0',
      runs: [
        {
          results: [
            { ruleId: 'CRED001', message: { id: 'default', arguments: ['Qm9vbS1kYi1wdw-deploy-key', 'deploy.yml'] } },
            { ruleId: 'STYLE01', message: { id: 'default', arguments: ['unusedVariable', 'main.ts'] } },
          ],
          tool: {
            driver: {
              name: 'analyzer',
              rules: [
                { id: 'CRED001', messageStrings: { default: { text: 'Credential "{0}" is hard-coded in {1}.' } }, properties: { tags: ['CWE-798'] } },
                { id: 'STYLE01', messageStrings: { default: { text: '{0} is never used in {1}.' } } },
              ],
            },
          },
        },
      ],
    };
    const input = JSON.stringify(log);
    const analysis = await analyzeBytes('sarif', input);
    const stored = JSON.parse(storedBytes(input, analysis)) as typeof log;
    expect(JSON.stringify(stored)).not.toContain('Qm9vbS1kYi1wdw');
    expect(stored.runs[0]!.results[0]!.message.arguments).toEqual(['[redacted:secret-scanner-finding]', '[redacted:secret-scanner-finding]']);
    expect(stored.runs[0]!.results[1]).toEqual(log.runs[0]!.results[1]);
    expect(analysis.redactions.items).toEqual([0, 1].map((index) => ({ kind: 'secret-scanner-finding', location: `/runs/0/results/0/message/arguments/${index}` })));
  });

  it('replaces the snippets of a rule about hard-coded credentials in any tool, after its results if need be, and keeps the others', async () => {
    // Semgrep's SARIF as it writes it (keys sorted, so a run's results come before its tool and
    // rules; a rule's CWE as a tag), with registry-style rule ids; constructed, not a real scan.
    const result = (ruleId: string, text: string) => ({
      fingerprints: { 'matchBasedId/v1': 'f'.repeat(64) },
      locations: [{ physicalLocation: { artifactLocation: { uri: 'settings.py', uriBaseId: '%SRCROOT%' }, region: { startLine: 3, snippet: { text } } } }],
      message: { text: 'found' },
      properties: {},
      ruleId,
    });
    const rule = (id: string, tags: string[]) => ({ defaultConfiguration: { level: 'error' }, id, name: id, properties: { precision: 'very-high', tags } });
    const semgrep = {
      runs: [
        {
          results: [
            result('python.django.security.audit.hardcoded-db-connection', 'DATABASES = {"default": {"PASSWORD": "Qm9vbS1kYi1wdw"}}'),
            result('generic.secrets.security.detected-generic-secret', 'svc_secret: Zx81-internal-key-0000000000000000000000'),
            result('python.lang.correctness.useless-eqeq.useless-eqeq', 'return a + b == a + b'),
          ],
          tool: {
            driver: {
              name: 'Semgrep OSS',
              rules: [
                rule('python.django.security.audit.hardcoded-db-connection', ['CWE-798: Use of Hard-coded Credentials', 'LOW CONFIDENCE', 'security']),
                rule('generic.secrets.security.detected-generic-secret', []),
                rule('python.lang.correctness.useless-eqeq.useless-eqeq', []),
              ],
              semanticVersion: '1.69.0',
            },
          },
        },
      ],
      version: '2.1.0',
    };
    const semgrepInput = JSON.stringify(semgrep, null, 2);
    const semgrepAnalysis = await analyzeBytes('sarif', semgrepInput);
    const semgrepStored = storedBytes(semgrepInput, semgrepAnalysis);
    expect(semgrepStored).not.toMatch(/Qm9vbS1kYi1wdw|Zx81-internal-key/);
    expect(semgrepAnalysis.redactions.items).toEqual([0, 1].map((index) => ({ kind: 'secret-scanner-finding', location: `/runs/0/results/${index}/locations/0/physicalLocation/region/snippet/text` })));
    // The other finding's snippet, and every other byte, as Semgrep wrote them.
    expect(JSON.parse(semgrepStored).runs[0].results[2]).toEqual(semgrep.runs[0]!.results[2]);

    // CodeQL's order (tool first, its queries under extensions, CWEs as "external/cwe/…" tags), a
    // result naming its rule by index only; the connection-string query's id says nothing of credentials.
    const codeql = {
      version: '2.1.0',
      runs: [
        {
          tool: {
            driver: { name: 'CodeQL', rules: [{ id: 'cs/sql-injection', properties: { tags: ['security', 'external/cwe/cwe-089'] } }] },
            extensions: [{ name: 'codeql/csharp-queries', rules: [{ id: 'cs/hardcoded-connection-string-credentials', properties: { tags: ['security', 'external/cwe/cwe-259', 'external/cwe/cwe-321', 'external/cwe/cwe-798'] } }] }],
          },
          results: [
            {
              ruleId: 'cs/hardcoded-connection-string-credentials',
              rule: { id: 'cs/hardcoded-connection-string-credentials', index: 0, toolComponent: { index: 0 } },
              // CodeQL's credential queries quote the value in the message.
              message: { text: 'The hard-coded value "Server=db;User Id=sa;Pwd=Qm9vbS1kYi1wdw" flows to [the connection string](1).' },
              locations: [{ physicalLocation: { region: { startLine: 9, snippet: { text: 'new SqlConnection("Server=db;User Id=sa;Pwd=Qm9vbS1kYi1wdw");' } } } }],
            },
            {
              ruleIndex: 0,
              message: { text: 'This query depends on a "user-provided value".' },
              locations: [{ physicalLocation: { region: { startLine: 12, snippet: { text: 'cmd.CommandText = "select * from t where id = " + id;' } } } }],
            },
          ],
        },
      ],
    };
    const codeqlInput = JSON.stringify(codeql);
    const codeqlAnalysis = await analyzeBytes('sarif', codeqlInput);
    const codeqlStored = JSON.parse(storedBytes(codeqlInput, codeqlAnalysis)) as typeof codeql;
    expect(codeqlStored.runs[0]!.results[0]!.locations[0]!.physicalLocation.region.snippet.text).toBe('[redacted:secret-scanner-finding]');
    expect(codeqlStored.runs[0]!.results[0]!.message.text).toBe('The hard-coded value "[redacted:secret-scanner-finding]" flows to [the connection string](1).');
    expect(codeqlStored.runs[0]!.results[1]).toEqual(codeql.runs[0]!.results[1]);
    expect(codeqlAnalysis.redactions.byKind).toEqual({ 'secret-scanner-finding': 2 });

    // The summary (findings with their messages, shown in the console and judged by the gate) is
    // read from the stored bytes: neither the quoted credential nor a token in another message.
    const summary = JSON.stringify(codeqlAnalysis.summary);
    expect(summary).not.toContain('Qm9vbS1kYi1wdw');
    expect(summary).toContain('The hard-coded value \\"[redacted:secret-scanner-finding]\\" flows to the connection string.');
    const token = { version: '2.1.0', runs: [{ tool: { driver: { name: 'CodeQL' } }, results: [{ ruleId: 'js/sql-injection', message: { text: `query built with ${FAKE_SECRETS.github}` } }] }] };
    const tokenAnalysis = await analyzeBytes('sarif', JSON.stringify(token));
    expect(JSON.stringify(tokenAnalysis.summary)).not.toContain(FAKE_SECRETS.github);

    // A result naming by index a driver rule tagged as about credentials.
    const byIndex = { version: '2.1.0', runs: [{ tool: { driver: { name: 'scanner', rules: [{ id: 'R1', properties: { tags: ['CWE-259'] } }] } }, results: [{ ruleIndex: 0, locations: [{ physicalLocation: { region: { snippet: { text: 'pw = "Qm9vbS1kYi1wdw"' } } } }] }] }] };
    // A message with a lone quote quotes nothing: kept, and no redaction is counted for it.
    Object.assign(byIndex.runs[0]!.results[0]!, { message: { text: 'password set in "config.yml' } });
    const byIndexInput = JSON.stringify(byIndex);
    const byIndexAnalysis = await analyzeBytes('sarif', byIndexInput);
    expect(byIndexAnalysis.redactions.items).toEqual([{ kind: 'secret-scanner-finding', location: '/runs/0/results/0/locations/0/physicalLocation/region/snippet/text' }]);
    expect(storedBytes(byIndexInput, await analyzeBytes('sarif', byIndexInput))).not.toContain('Qm9vbS1kYi1wdw');
  });

  it("replaces the code extracts of a GitLab secret detection report, decided when the document ends, and keeps a SAST report's", async () => {
    // Semgrep's own expected output of `--gitlab-secrets`: a finding in GitLab's report format,
    // "category": "secret_detection", its line in "raw_source_code_extract".
    const real = fs.readFileSync(path.join(import.meta.dirname, '../testing/real/semgrep-1-gitlab-secrets.json'), 'utf8');
    const realAnalysis = await analyzeBytes('custom', real);
    expect(storedBytes(real, realAnalysis)).toBe(real.replace('"    return a + b == a + b\\n"', '"[redacted:secret-scanner-finding]"'));
    expect(realAnalysis.redactions.items).toEqual([{ kind: 'secret-scanner-finding', location: '/vulnerabilities/0/raw_source_code_extract/0' }]);

    // GitLab's analyzer writes the secret itself, and newer schemas say what the report is only in
    // "scan", which may come after the findings.
    const report = (type: string) => ({
      version: '15.0.7',
      vulnerabilities: [
        {
          id: '1',
          name: 'Generic API key',
          severity: 'Critical',
          raw_source_code_extract: 'Zx81-internal-key',
          location: { file: 'config/app.yml', start_line: 4 },
          // A label, not a variable's name: the rule's id is kept.
          identifiers: [{ type: 'gitleaks_rule_id', name: 'Gitleaks rule ID generic-api-key', value: 'generic-api-key' }],
        },
      ],
      scan: { type, status: 'success', scanner: { id: 'gitleaks', name: 'Gitleaks' } },
    });
    const secrets = JSON.stringify(report('secret_detection'));
    const secretsAnalysis = await analyzeBytes('custom', secrets);
    const stored = JSON.parse(storedBytes(secrets, secretsAnalysis)) as ReturnType<typeof report>;
    expect(stored.vulnerabilities[0]!.raw_source_code_extract).toBe('[redacted:secret-scanner-finding]');
    expect(stored.vulnerabilities[0]!.identifiers).toEqual(report('secret_detection').vulnerabilities[0]!.identifiers);
    expect(secretsAnalysis.redactions.items).toEqual([{ kind: 'secret-scanner-finding', location: '/vulnerabilities/0/raw_source_code_extract' }]);
    const sast = JSON.stringify(report('sast'));
    const sastAnalysis = await analyzeBytes('custom', sast);
    expect(storedBytes(sast, sastAnalysis)).toBe(sast);
    expect(sastAnalysis.redactions.items).toEqual([]);
  });

  it("replaces the matched line of gitleaks' own JSON report with its secret", async () => {
    // The shape of gitleaks/gitleaks testdata/expected/report/json_simple.json, sent as custom evidence.
    const finding = { RuleID: 'generic-api-key', StartLine: 4, Match: 'api = "Zx81-internal-key"', Secret: 'Zx81-internal-key', File: 'auth.py', Commit: '0000000000000000' };
    const input = JSON.stringify([finding], null, 1);
    const analysis = await analyzeBytes('custom', input);
    const [stored] = JSON.parse(storedBytes(input, analysis)) as Array<typeof finding>;
    expect(stored).toEqual({ ...finding, Match: '[redacted:secret-scanner-finding]', Secret: '[redacted:credential-field]' });
    expect(analysis.redactions.items).toEqual([
      { kind: 'credential-field', location: '/0/Secret' },
      { kind: 'secret-scanner-finding', location: '/0/Match' },
    ]);
  });
});

describe('sanitizing YAML manifests', () => {
  const deployment = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web # the web tier\nspec: {}\n';

  it('replaces Secret data, keeps other documents byte for byte', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/), fc.stringMatching(/^[A-Za-z0-9+/]{4,40}={0,2}$/), { minKeys: 1, maxKeys: 5 }),
        async (data) => {
          const secretYaml = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ntype: Opaque\ndata:\n${Object.entries(data)
            .map(([key, value]) => `  ${key}: ${value}`)
            .join('\n')}\n`;
          const input = `${deployment}---\n${secretYaml}---\n${deployment}`;
          const analysis = await analyzeBytes('manifests', input);
          const output = storedBytes(input, analysis);
          const docs = parseAllDocuments(output).map((doc) => doc.toJS() as { kind: string; data?: Record<string, string> });
          expect(docs.map((doc) => doc.kind)).toEqual(['Deployment', 'Secret', 'Deployment']);
          expect(Object.values(docs[1]!.data!)).toEqual(Object.keys(data).map(() => '[redacted:kubernetes-secret]'));
          expect(output.startsWith(deployment)).toBe(true);
          expect(output.endsWith(`---\n${deployment}`)).toBe(true);
          expect(analysis.redactions.byKind).toEqual({ 'kubernetes-secret': Object.keys(data).length });
          // Where, as a JSON Pointer within the document.
          expect(analysis.redactions.items.map((item) => item.location)).toEqual(Object.keys(data).map((key) => `document 2 /data/${key}`));
        },
      ),
      { numRuns: 30 },
    );
  });

  it('replaces kubeconfig credentials, tokens in strings and comments', async () => {
    const input = [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata: {name: ci}',
      'data:',
      `  note: "deploy with ${FAKE_SECRETS.rp}"`,
      '  kubeconfig: |',
      '    users:',
      '    - name: ci',
      '      user:',
      `        token: ${FAKE_SECRETS.jwt}`,
      `# left over: ${FAKE_SECRETS.aws}`,
      '',
    ].join('\n');
    const analysis = await analyzeBytes('manifests', input);
    const output = storedBytes(input, analysis);
    for (const secret of [FAKE_SECRETS.rp, FAKE_SECRETS.jwt, FAKE_SECRETS.aws]) expect(output).not.toContain(secret);
    expect(analysis.redactions.byKind).toEqual({ 'aws-access-key-id': 1, jwt: 1, 'release-passport-token': 1 });
    expect((parseAllDocuments(output)[0]!.toJS() as { data: { note: string } }).data.note).toBe('deploy with [redacted:release-passport-token]');
  });
});

describe('sanitizing text evidence', () => {
  it('removes tokens from JUnit output and keeps the report readable', async () => {
    const input = junit([{ suite: 'api', name: 'login', outcome: 'fail' }], `curl -H "Authorization: Bearer ${FAKE_SECRETS.stripe}"`);
    const analysis = await analyzeBytes('junit', input);
    const output = storedBytes(input, analysis);
    expect(output).not.toContain(FAKE_SECRETS.stripe);
    expect(analysis.summary).toMatchObject({ tests: 1, failures: 1 });
    expect(analysis.redactions.items).toEqual([{ kind: 'stripe-key', location: 'line 5' }]);
  });

  it("removes the secret and its line from gitleaks' JUnit report, whatever their format", async () => {
    // gitleaks' own expected JUnit report: each failure is the finding as JSON, XML-escaped, with
    // "Secret": "a secret" and "Match": "line containing secret" (no pattern knows either).
    const input = fs.readFileSync(path.join(import.meta.dirname, '../testing/real/gitleaks-8-junit-simple.xml'), 'utf8');
    const analysis = await analyzeBytes('junit', input);
    const output = storedBytes(input, analysis);
    expect(output).not.toContain('a secret&#34;');
    expect(output).not.toContain('line containing secret');
    expect(output.match(/&#34;Secret&#34;: &#34;\[redacted:credential-field\]&#34;/g)).toHaveLength(2);
    expect(output.match(/&#34;Match&#34;: &#34;\[redacted:secret-scanner-finding\]&#34;/g)).toHaveLength(2);
    expect(analysis.redactions.byKind).toEqual({ 'credential-field': 2, 'secret-scanner-finding': 2 });
    expect(analysis.summary).toMatchObject({ tests: 2, failures: 2 });
  });

  it("removes TruffleHog's found values, in its findings as JSON and as lines of text", async () => {
    // `trufflehog ... --json` writes one finding per line, in the shape its README shows; this secret has no known format.
    const finding = (raw: string) =>
      JSON.stringify({ SourceMetadata: { Data: { Git: { commit: 'c'.repeat(40), file: 'deploy/db.env', line: 3 } } }, SourceID: 1, SourceType: 16, SourceName: 'trufflehog - git', DetectorType: 1004, DetectorName: 'Generic', DecoderName: 'PLAIN', Verified: true, Raw: raw, RawV2: `${raw}:db`, Redacted: '', ExtraData: null });

    // Gathered into one JSON document (`jq -s .`) and sent as custom evidence: found by the objects' keys.
    const document = `[${finding('Zx81-internal-key')},${finding('Qm9vbS1rZXk')},{"level":"info","Raw":"kept: not a finding"}]`;
    const analysis = await analyzeBytes('custom', document);
    const stored = JSON.parse(storedBytes(document, analysis)) as Array<Record<string, unknown>>;
    expect(JSON.stringify(stored)).not.toMatch(/Zx81-internal-key|Qm9vbS1rZXk/);
    expect(stored[0]).toMatchObject({ DetectorType: 1004, Raw: '[redacted:secret-scanner-finding]', RawV2: '[redacted:secret-scanner-finding]' });
    expect(stored[2]).toEqual({ level: 'info', Raw: 'kept: not a finding' });
    expect(analysis.redactions.items.map((item) => item.location)).toEqual(['/0/Raw', '/0/RawV2', '/1/Raw', '/1/RawV2']);

    // Its lines as the failures of a JUnit report (what a CI step that turns findings into test results writes).
    const report = junit([{ suite: 'secrets', name: 'deploy/db.env', outcome: 'fail' }], finding('Zx81-internal-key'));
    const junitAnalysis = await analyzeBytes('junit', report);
    const junitOutput = storedBytes(report, junitAnalysis);
    expect(junitOutput).not.toContain('Zx81-internal-key');
    expect(junitOutput).toContain('&quot;Raw&quot;:&quot;[redacted:secret-scanner-finding]&quot;,&quot;RawV2&quot;:&quot;[redacted:secret-scanner-finding]&quot;');
    expect(junitAnalysis.redactions.byKind).toEqual({ 'secret-scanner-finding': 2 });
    // A "Raw" in a text without TruffleHog's findings is left alone.
    const other = junit([{ suite: 'parser', name: 'reads raw', outcome: 'fail' }], '{"level":"info","Raw":"kept: not a finding"}');
    expect((await analyzeBytes('junit', other)).redactions.count).toBe(0);
  });

  it('replaces a JSON-written Secret and Match in any text, and nothing else around them', () => {
    const { text, found } = redactText('finding {"RuleID": "generic", "Secret": "p4ss \\"word\\"", "Match": "pw = p4ss", "File": "a.py"}');
    expect(text).toBe('finding {"RuleID": "generic", "Secret": "[redacted:credential-field]", "Match": "[redacted:secret-scanner-finding]", "File": "a.py"}');
    expect(found.map((item) => item.kind)).toEqual(['credential-field', 'secret-scanner-finding']);
    // A Kubernetes object of kind Secret is not a finding, nor a "Match" without a "Secret" beside it.
    expect(redactText('{"kind": "Secret", "metadata": {"name": "db"}}').found).toEqual([]);
    expect(redactText('{"Match": "PathPrefix(`/api`)", "Service": "api"}').found).toEqual([]);
  });
});
