import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LICENSE_EXAMPLES } from './parsers/sbom';
import type { SarifSummary } from './parsers/sarif';
import { applyRewritesToBuffer } from './analyze';
import {
  analyzeBytes,
  cyclonedx,
  FAKE_SECRETS,
  dsseEnvelope,
  junit,
  problemOf as rejection,
  sarif,
  spdx,
  statement,
  type SarifFinding,
} from './testing/fixtures';

const LICENSES = ['MIT', 'Apache-2.0', 'GPL-3.0-only', 'BSD-3-Clause'];
const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/);

describe('CycloneDX SBOMs', () => {
  it('counts every component (nested ones too, tools not) and tallies their licenses', async () => {
    const component = fc.record({ name, license: fc.option(fc.constantFrom(...LICENSES), { nil: undefined }) });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ top: component, nested: fc.array(component, { maxLength: 3 }) }), { maxLength: 30 }), fc.boolean(), async (tree, pretty) => {
        const components = tree.map(({ top, nested }) => ({ ...top, components: nested.map((child) => cyclonedx([child]).components[0]) }));
        const analysis = await analyzeBytes('sbom', JSON.stringify(cyclonedx(components), null, pretty ? 2 : undefined));
        const all = tree.flatMap(({ top, nested }) => [top, ...nested]);
        const licenses: Record<string, number> = {};
        for (const item of all) if (item.license) licenses[item.license] = (licenses[item.license] ?? 0) + 1;
        // Examples per license in the order components end (a parent after the components it nests).
        const examples: Record<string, Array<{ name: string; version: string }>> = {};
        for (const item of tree.flatMap(({ top, nested }) => [...nested, top])) {
          if (item.license && (examples[item.license] ??= []).length < LICENSE_EXAMPLES) examples[item.license]!.push({ name: item.name, version: '1.0.0' });
        }
        const sorted = <T,>(record: Record<string, T>) => Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1)));
        expect(analysis.summary).toEqual({
          format: 'cyclonedx',
          specVersion: '1.5',
          subject: { name: 'checkout', version: '2.4.1' },
          components: all.length,
          componentsWithoutLicense: all.filter((item) => !item.license).length,
          licenses: sorted(licenses),
          componentsByLicense: sorted(examples),
        });
        expect(analysis.output).toEqual({ type: 'unchanged' });
      }),
      { numRuns: 60 },
    );
  });

  it('reads license expressions, and the format whatever the key order', async () => {
    const bom = cyclonedx([{ name: 'a', expression: 'MIT OR Apache-2.0' }]);
    const reordered = { components: bom.components, specVersion: bom.specVersion, bomFormat: bom.bomFormat };
    const analysis = await analyzeBytes('sbom', JSON.stringify(reordered));
    expect(analysis.summary).toMatchObject({ format: 'cyclonedx', components: 1, licenses: { 'MIT OR Apache-2.0': 1 } });
  });
});

describe('SPDX SBOMs', () => {
  it('counts packages and prefers the concluded license over the declared one', async () => {
    const pkg = fc.record({
      name,
      concluded: fc.option(fc.constantFrom('NOASSERTION', ...LICENSES), { nil: undefined }),
      declared: fc.option(fc.constantFrom('NONE', ...LICENSES), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(pkg, { maxLength: 40 }), async (packages) => {
        const analysis = await analyzeBytes('sbom', JSON.stringify(spdx(packages)), 'application/spdx+json');
        const chosen = packages.map((p) =>
          p.concluded && p.concluded !== 'NOASSERTION' ? p.concluded : p.declared && p.declared !== 'NONE' ? p.declared : null,
        );
        expect(analysis.summary).toMatchObject({
          format: 'spdx',
          specVersion: 'SPDX-2.3',
          components: packages.length,
          componentsWithoutLicense: chosen.filter((license) => license === null).length,
        });
      }),
      { numRuns: 40 },
    );
  });
});

describe('SBOM rejections name what is wrong', () => {
  it.each([
    ['{"bomFormat":"SWID","specVersion":"1"}', /"bomFormat" is "SWID"/],
    ['{"components":[]}', /this is not an SBOM/],
    ['{"spdxVersion":"SPDX-3.0"}', /SPDX 2.x JSON documents are accepted/],
    ['[1,2]', /an SBOM must be a JSON object, this document is an array/],
    ['{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"name":"a",}]}', /invalid JSON at line 1, column 72.*expected a property name/],
    ['{"bomFormat":"CycloneDX","specVersion":"1.5","components":[', /ends early/],
  ])('%s', async (document, message) => {
    const error = await rejection(analyzeBytes('sbom', document));
    expect(error.status).toBe(422);
    expect(error.message).toMatch(message);
  });

  it('refuses an SPDX document sent as CycloneDX', async () => {
    const error = await rejection(analyzeBytes('sbom', JSON.stringify(spdx([])), 'application/vnd.cyclonedx+json'));
    expect(error.message).toBe(
      'SPDX 2.3 JSON is read, but this file was refused: the Content-Type application/vnd.cyclonedx+json says CycloneDX JSON, but the document is SPDX 2.3 JSON: send it as application/json, application/xml or text/plain and the gate reads the format from the content',
    );
  });

  it('refuses a SARIF log uploaded as an SBOM (wrong kind), saying where to send it', async () => {
    const error = await rejection(analyzeBytes('sbom', JSON.stringify(sarif([]))));
    expect(error.message).toMatch(/^this is a SARIF 2\.1\.0 log, sent as sbom evidence: send it as sarif evidence \(rp gate --sarif FILE, or --kind sarif\) \(this is not an SBOM/);
  });
});

describe('SARIF logs', () => {
  const finding = fc.record({
    ruleId: fc.constantFrom('js/sql-injection', 'js/xss', 'js/unused-var'),
    level: fc.option(fc.constantFrom('error' as const, 'warning' as const, 'note' as const, 'none' as const), { nil: undefined }),
    securitySeverity: fc.option(fc.constantFrom('9.8', '7.5', '5.0', '2.0', '0'), { nil: undefined }),
    suppressed: fc.boolean(),
  });
  const rules = [
    { id: 'js/sql-injection', level: 'error', securitySeverity: '8.8' },
    { id: 'js/xss', level: 'warning' },
    { id: 'js/unused-var' },
  ];

  function expected(findings: SarifFinding[]): Pick<SarifSummary, 'results' | 'suppressed' | 'byLevel' | 'bySeverity'> {
    const byLevel = { error: 0, warning: 0, note: 0, none: 0 };
    const bySeverity = { critical: 0, high: 0, medium: 0, low: 0, none: 0 };
    let suppressed = 0;
    for (const item of findings) {
      if (item.suppressed) {
        suppressed++;
        continue;
      }
      const rule = rules.find((candidate) => candidate.id === item.ruleId)!;
      const level = item.level ?? (rule.level as keyof typeof byLevel | undefined) ?? 'warning';
      const score = item.securitySeverity ?? rule.securitySeverity;
      byLevel[level]++;
      const severity =
        score !== undefined
          ? Number(score) >= 9
            ? 'critical'
            : Number(score) >= 7
              ? 'high'
              : Number(score) >= 4
                ? 'medium'
                : Number(score) > 0
                  ? 'low'
                  : 'none'
          : { error: 'high', warning: 'medium', note: 'low', none: 'none' }[level];
      bySeverity[severity as keyof typeof bySeverity]++;
    }
    return { results: findings.length - suppressed, suppressed, byLevel, bySeverity };
  }

  it('counts findings by level and by security severity, from the result or its rule', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(finding, { maxLength: 40 }), async (findings) => {
        const analysis = await analyzeBytes('sarif', JSON.stringify(sarif(findings, rules)));
        expect(analysis.summary).toMatchObject({ format: 'sarif', version: '2.1.0', runs: 1, tools: ['CodeQL'], ...expected(findings) });
      }),
      { numRuns: 80 },
    );
  });

  it('lists the rules behind each severity', async () => {
    const analysis = await analyzeBytes('sarif', JSON.stringify(sarif([{ ruleId: 'js/sql-injection' }, { ruleId: 'js/xss', level: 'error' }], rules)));
    expect((analysis.summary as SarifSummary).rulesBySeverity).toEqual({ high: ['js/sql-injection', 'js/xss'] });
  });

  it('a suppression still under review, or rejected, hides nothing: only accepted ones suppress', async () => {
    const result = (suppressions: object[]) => ({ ruleId: 'js/xss', level: 'error', message: { text: 'x' }, suppressions });
    const log = {
      version: '2.1.0',
      runs: [
        {
          tool: { driver: { name: 'Semgrep' } },
          results: [
            result([{ kind: 'inSource' }]), // no status: accepted
            result([{ kind: 'external', status: 'accepted' }]),
            result([{ kind: 'external', status: 'underReview' }]),
            result([{ kind: 'external', status: 'rejected' }]),
            result([{ kind: 'inSource' }, { kind: 'external', status: 'rejected' }]),
            result([]),
          ],
        },
      ],
    };
    expect((await analyzeBytes('sarif', JSON.stringify(log))).summary).toMatchObject({ results: 4, suppressed: 2, bySeverity: { high: 4 } });
  });

  it.each([
    ['{"runs":[]}', /no "version"/],
    ['{"version":"2.0.0","runs":[]}', /SARIF version "2.0.0" is not supported/],
    ['{"version":"2.1.0"}', /no "runs" array/],
    ['{"version":"2.1.0","runs":[{"results":[{"level":"fatal"}]}]}', /\$\.runs\[0\]\.results\[0\]\.level is "fatal", which is not a SARIF level/],
  ])('rejects %s', async (document, message) => {
    expect((await rejection(analyzeBytes('sarif', document))).message).toMatch(message);
  });
});

describe('provenance', () => {
  const digest = fc.stringMatching(/^[0-9a-f]{64}$/);
  it('reads subject digests from a statement and from a DSSE envelope alike', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ name, sha256: digest }), { minLength: 1, maxLength: 5 }), fc.boolean(), async (subjects, enveloped) => {
        const document = enveloped ? dsseEnvelope(statement(subjects)) : statement(subjects);
        const analysis = await analyzeBytes('provenance', JSON.stringify(document));
        expect(analysis.summary).toMatchObject({
          format: 'in-toto',
          predicateType: 'https://slsa.dev/provenance/v1',
          subjects: subjects.map((subject) => ({ name: subject.name, digest: { sha256: subject.sha256 } })),
          materials: 1,
          builderId: expect.stringContaining('slsa-github-generator'),
          envelope: enveloped
            ? {
                payloadType: 'application/vnd.in-toto+json',
                signatures: 1,
                // No key is trusted here: the signature is recorded as not verified, and why.
                verification: expect.objectContaining({ method: 'dsse-public-key', status: 'failed', reason: expect.stringContaining('no public key is trusted') }),
                modifiedBySanitizer: false,
                sigstoreBundle: null,
              }
            : null,
        });
      }),
      { numRuns: 30 },
    );
  });

  it.each(['application/vnd.dev.sigstore.bundle+json;version=0.1', 'application/vnd.dev.sigstore.bundle+json;version=0.2', 'application/vnd.dev.sigstore.bundle.v0.3+json'])(
    'reads the statement inside a Sigstore bundle (%s) and records the bundle; a made-up signature fails verification',
    async (mediaType) => {
      const subjects = [{ name: 'ghcr.io/acme/checkout', sha256: 'a'.repeat(64) }];
      // mediaType after dsseEnvelope too: the reader must not depend on key order.
      const bundle = { dsseEnvelope: dsseEnvelope(statement(subjects)), verificationMaterial: { publicKey: { hint: 'k' }, tlogEntries: [] }, mediaType };
      const analysis = await analyzeBytes('provenance', JSON.stringify(bundle));
      expect(analysis.summary).toMatchObject({
        subjects: [{ name: 'ghcr.io/acme/checkout', digest: { sha256: 'a'.repeat(64) } }],
        envelope: { payloadType: 'application/vnd.in-toto+json', signatures: 1, verification: { method: 'sigstore-bundle', status: 'failed' }, sigstoreBundle: mediaType },
      });
    },
  );

  it('replaces a secret on one line of a JSON Lines bundle, at that line, and says which line', async () => {
    const clean = JSON.stringify(statement([{ name: 'a', sha256: 'a'.repeat(64) }]));
    const leaky = JSON.stringify({ ...statement([{ name: 'b', sha256: 'b'.repeat(64) }]), predicate: { token: FAKE_SECRETS.github } });
    const bytes = Buffer.from(`${clean}\n${leaky}\n`);
    const analysis = await analyzeBytes('provenance', bytes);
    expect(analysis.output.type).toBe('rewrites');
    const stored = Buffer.concat(applyRewritesToBuffer(bytes, analysis.output.type === 'rewrites' ? analysis.output.rewrites : [])).toString('utf8');
    const [first, second] = stored.split('\n');
    expect(first).toBe(clean);
    expect(second).not.toContain(FAKE_SECRETS.github);
    expect(JSON.parse(second!)).toMatchObject({ subject: [{ name: 'b' }] });
    expect(analysis.redactions.items.map((item) => item.location)).toEqual([expect.stringMatching(/^line 2 /)]);
  });

  it.each([
    ['{"predicateType":"x"}', /neither "_type" nor "payloadType"/],
    ['{"_type":"https://in-toto.io/Statement/v1","subject":[]}', /has no subject/],
    ['{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{}}]}', /subject 0 \("a"\) has no digest/],
    ['{"_type":"https://example.com/x","subject":[{"name":"a","digest":{"sha256":"00"}}]}', /"_type" is "https:\/\/example.com\/x"/],
    ['{"payloadType":"text/plain","payload":"eyJ9","signatures":[]}', /payloadType is "text\/plain"/],
    ['{"payloadType":"application/vnd.in-toto+json","payload":"bm90IGpzb24=","signatures":[]}', /payload is not a JSON statement/],
  ])('rejects %s', async (document, message) => {
    expect((await rejection(analyzeBytes('provenance', document))).message).toMatch(message);
  });
});

describe('checksums files', () => {
  it('reads GNU and BSD lines alike', async () => {
    const entry = fc.record({ name: fc.stringMatching(/^[a-z][a-z0-9._-]{0,20}$/), digest: fc.stringMatching(/^[0-9a-f]{64}$/), bsd: fc.boolean(), binary: fc.boolean() });
    await fc.assert(
      fc.asyncProperty(fc.array(entry, { minLength: 1, maxLength: 20 }), async (entries) => {
        const text = entries
          .map((item) => (item.bsd ? `SHA256 (${item.name}) = ${item.digest}` : `${item.digest} ${item.binary ? '*' : ' '}${item.name}`))
          .join('\n');
        const analysis = await analyzeBytes('checksums', `# release checksums\n${text}\n`);
        expect(analysis.summary).toEqual({
          format: 'checksums',
          algorithms: ['sha256'],
          count: entries.length,
          entries: entries.map((item) => ({ name: item.name, algorithm: 'sha256', digest: item.digest })),
          truncated: false,
        });
      }),
      { numRuns: 40 },
    );
  });

  it('names the malformed line', async () => {
    const error = await rejection(analyzeBytes('checksums', `${'a'.repeat(64)}  app.tgz\nnot a checksum\n`));
    expect(error.message).toMatch(/^A checksums file is read, but this file was refused: line 2 is not a checksum line \("not a checksum"\)/);
    expect((await rejection(analyzeBytes('checksums', '\n# nothing\n'))).message).toMatch(/no checksum lines/);
  });
});

describe('JUnit reports', () => {
  it('counts test cases by outcome', async () => {
    const testcase = fc.record({ suite: fc.constantFrom('api', 'web'), name, outcome: fc.constantFrom('pass' as const, 'fail' as const, 'error' as const, 'skip' as const) });
    await fc.assert(
      fc.asyncProperty(fc.array(testcase, { maxLength: 30 }), async (cases) => {
        const analysis = await analyzeBytes('junit', junit(cases));
        const count = (outcome: string) => cases.filter((item) => item.outcome === outcome).length;
        expect(analysis.summary).toMatchObject({
          format: 'junit',
          tests: cases.length,
          passed: count('pass'),
          failures: count('fail'),
          errors: count('error'),
          skipped: count('skip'),
        });
        const failed = cases.filter((item) => item.outcome === 'fail' || item.outcome === 'error').map((item) => `${item.suite} › ${item.name}`);
        expect([...(analysis.summary as { failed: string[] }).failed].sort()).toEqual(failed.sort());
      }),
      { numRuns: 40 },
    );
  });

  it.each([
    ['<testsuite><testcase name="a"></testsuite>', /invalid XML at line 1/],
    ['<report/>', /root element is <report>/],
    ['<!DOCTYPE x [<!ENTITY a "b">]><testsuite/>', /DOCTYPE/],
  ])('rejects %s', async (document, message) => {
    expect((await rejection(analyzeBytes('junit', document))).message).toMatch(message);
  });
});

describe('Kubernetes manifests', () => {
  it("ingress-nginx's rendered install manifests (real): every document, namespace and digest-pinned image", async () => {
    const text = fs.readFileSync(path.join(__dirname, 'testing', 'real', 'ingress-nginx-1.15.1-deploy.yaml'), 'utf8');
    // Counted from the text with plain patterns, not with the reader under test.
    const kinds = [...text.matchAll(/^kind: (\S+)$/gm)].map((match) => match[1]);
    const images = [...new Set([...text.matchAll(/^\s+image: (\S+)$/gm)].map((match) => match[1]))].sort();
    const analysis = await analyzeBytes('manifests', text);
    expect(kinds).toHaveLength(19);
    expect(analysis.summary).toMatchObject({ format: 'kubernetes', documents: kinds.length, namespaces: ['ingress-nginx'] });
    expect([...(analysis.summary as unknown as { images: string[] }).images].sort()).toEqual(images);
    expect(images.every((image) => /@sha256:[0-9a-f]{64}$/.test(image!))).toBe(true);
    expect(analysis.redactions.count).toBe(0);
  });

  it('summarises resources, namespaces and images', async () => {
    const yaml = [
      '# Source: checkout/templates/deployment.yaml',
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: {name: checkout, namespace: shop}',
      'spec:',
      '  template:',
      '    spec:',
      '      initContainers: [{name: migrate, image: "registry.example.com/checkout-migrate@sha256:' + 'b'.repeat(64) + '"}]',
      '      containers:',
      '        - name: app',
      '          image: registry.example.com/checkout@sha256:' + 'a'.repeat(64),
      '---',
      'apiVersion: v1',
      'kind: Service',
      'metadata: {name: checkout, namespace: shop}',
      '---',
      '# empty document',
    ].join('\n');
    const analysis = await analyzeBytes('manifests', yaml);
    expect(analysis.summary).toEqual({
      format: 'kubernetes',
      documents: 2,
      kinds: { Deployment: 1, Service: 1 },
      resources: ['Deployment/shop/checkout', 'Service/shop/checkout'],
      namespaces: ['shop'],
      images: ['registry.example.com/checkout-migrate@sha256:' + 'b'.repeat(64), 'registry.example.com/checkout@sha256:' + 'a'.repeat(64)],
    });
    expect(analysis.output).toEqual({ type: 'unchanged' });
  });

  it.each([
    ['apiVersion: v1\nkind: [unclosed\n', /invalid YAML in document 1 at line 3, column \d+: /],
    ['apiVersion: v1\nkind: Service\n---\nname: not-a-resource\n', /document 2 is not a Kubernetes resource/],
    ['{"bomFormat": "CycloneDX", "specVersion": "1.5"}', /document 1 is not a Kubernetes resource/],
    ['# only a comment\n', /no Kubernetes resource/],
  ])('rejects %s', async (document, message) => {
    expect((await rejection(analyzeBytes('manifests', document))).message).toMatch(message);
  });
});

describe('custom JSON', () => {
  it('accepts any JSON and describes its shape', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (value) => {
        const analysis = await analyzeBytes('custom', JSON.stringify(value));
        const type = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
        expect(analysis.summary).toMatchObject({ format: 'json', type });
      }),
      { numRuns: 60 },
    );
  });
});

describe('determinism', () => {
  it('the same bytes always give the same summary and the same stored output', async () => {
    const document = fc.oneof(
      fc.array(fc.record({ name, license: fc.constantFrom(...LICENSES) }), { maxLength: 10 }).map((items) => ['sbom', JSON.stringify(cyclonedx(items))] as const),
      fc.array(fc.record({ ruleId: fc.constantFrom('a', 'b'), level: fc.constantFrom('error' as const, 'note' as const) }), { maxLength: 10 }).map((items) => ['sarif', JSON.stringify(sarif(items))] as const),
    );
    await fc.assert(
      fc.asyncProperty(document, async ([kind, text]) => {
        const first = await analyzeBytes(kind, text);
        const second = await analyzeBytes(kind, text);
        expect(JSON.stringify(second)).toBe(JSON.stringify(first));
      }),
      { numRuns: 30 },
    );
  });
});

describe('summaries hold nothing the stored bytes do not', () => {
  const token = FAKE_SECRETS.github;
  // Each document quotes a token where its summary reads it (a component's name, a finding's
  // message, a subject, a workflow ref), so a summary read from the bytes sent would keep it.
  const documents: Array<{ kind: Parameters<typeof analyzeBytes>[0]; text: string }> = [
    { kind: 'sbom', text: JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5', components: [{ type: 'library', name: `left-pad-${token}`, version: '1.0.0', licenses: [{ license: { id: 'MIT' } }] }] }) },
    { kind: 'sarif', text: JSON.stringify({ version: '2.1.0', runs: [{ tool: { driver: { name: 'CodeQL' } }, results: [{ ruleId: 'js/sql-injection', message: { text: `query built with ${token}` } }] }] }) },
    { kind: 'provenance', text: JSON.stringify(statement([{ name: `ghcr.io/acme/${token}`, sha256: 'b'.repeat(64) }])) },
    { kind: 'provenance', text: JSON.stringify(dsseEnvelope(statement([{ name: `ghcr.io/acme/${token}`, sha256: 'b'.repeat(64) }]))) },
  ];
  it.each(documents.map((document, index) => ({ ...document, index })))('$kind document $index', async ({ kind, text }) => {
    const analysis = await analyzeBytes(kind, text);
    expect(analysis.redactions.byKind).toMatchObject({ 'github-token': expect.any(Number) });
    expect(JSON.stringify(analysis.summary)).not.toContain(token);
  });
});
