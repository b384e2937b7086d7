/**
 * The findings a SARIF summary keeps (file, line, rule, help link), read from logs real scanners
 * wrote (lib/evidence/testing/real/SOURCES.md), so that a passport can say why without opening the log.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeBytes, sarif } from '../testing/fixtures';
import { MAX_FINDINGS, type SarifSummary } from './sarif';

const real = (file: string) => fs.readFileSync(path.join(import.meta.dirname, '..', 'testing', 'real', file), 'utf8');
const summaryOf = async (text: string) => (await analyzeBytes('sarif', text)).summary as SarifSummary;

describe('SARIF findings from real scanners', () => {
  it('Trivy: each vulnerability with its package and version, its rule title and help page, severity from security-severity', async () => {
    const summary = await summaryOf(real('trivy-alpine-310.sarif'));
    expect(summary.bySeverity.medium).toBe(4);
    expect(summary.findings).toHaveLength(4);
    expect(summary.findings![0]).toEqual({
      severity: 'medium',
      ruleId: 'CVE-2019-1549',
      title: 'openssl: information disclosure in fork()',
      message: expect.stringContaining('Package: libcrypto1.1\nInstalled Version: 1.1.1c-r0'),
      file: 'testdata/fixtures/images/alpine-310.tar.gz',
      line: 1,
      helpUri: 'https://avd.aquasec.com/nvd/cve-2019-1549',
    });
  });

  it('CodeQL: file and line of each result in every run, the rule’s short description as its title', async () => {
    const summary = await summaryOf(real('codeql-valid.sarif'));
    expect(summary.runs).toBe(2);
    expect(summary.findings!.map((finding) => [finding.ruleId, finding.file, finding.line])).toEqual([
      ['js/unused-local-variable', 'main.js', 2],
      ['js/unused-local-variable', 'main.js', 2],
      ['js/inconsistent-use-of-new', 'src/promiseUtils.js', 2],
    ]);
    expect(summary.findings![2]).toMatchObject({ severity: 'low', title: "Inconsistent use of 'new'", message: expect.stringContaining('Function resolvingPromise') });
    // Its links to related locations ("[here](1)") read as their text.
    expect(summary.findings![2]!.message).toBe('Function resolvingPromise is sometimes invoked as a constructor (for example here), and sometimes as a normal function (for example here).');
    expect(summary.findings![2]).not.toHaveProperty('helpUri'); // CodeQL gives help text, no link: none is made up
  });

  it('CodeQL: a result that names its file by index into the run’s artifacts', async () => {
    const summary = await summaryOf(real('codeql-fingerprinting-input.sarif'));
    expect(summary.findings!.map((finding) => [finding.file, finding.line, finding.message])).toEqual([
      ['testFile1.js', 1, 'Unused variable a.'],
      ['testFile2.js', 2, 'Unused variable bar.'],
    ]);
  });
});

describe('SARIF findings kept in a summary', () => {
  it('keeps the most severe first, at most MAX_FINDINGS, whatever the log’s order and size', async () => {
    const many = Array.from({ length: 100 }, (_, index) => ({ ruleId: `low-${index}`, level: 'note' as const }));
    const summary = await summaryOf(JSON.stringify(sarif([...many, { ruleId: 'js/sql-injection', level: 'error' as const }])));
    expect(summary.results).toBe(101);
    expect(summary.findings).toHaveLength(MAX_FINDINGS);
    expect(summary.findings![0]).toMatchObject({ severity: 'high', ruleId: 'js/sql-injection' });
  });

  it('never keeps a help link that is not http(s), and clips long messages', async () => {
    const log = {
      version: '2.1.0',
      runs: [
        {
          tool: { driver: { name: 'x', rules: [{ id: 'r1', helpUri: 'javascript:alert(1)' }] } },
          results: [{ ruleId: 'r1', level: 'error', message: { text: 'm'.repeat(5000) } }],
        },
      ],
    };
    const [finding] = (await summaryOf(JSON.stringify(log))).findings!;
    expect(finding).not.toHaveProperty('helpUri');
    expect(finding!.message!.length).toBeLessThanOrEqual(300);
  });

  it('reads a message given by id and arguments from its rule\'s template, whichever comes first; a credential rule\'s arguments are not shown', async () => {
    // SARIF 3.11.7: the text is the rule's messageStrings[id] with {0}, {1}... filled in from the
    // arguments ("{{" and "}}" are literal braces). Constructed in the shape the specification gives.
    const rules = [
      { id: 'NULL01', messageStrings: { default: { text: 'Variable "{0}" in {{{1}}} may be null; see [the assignment](1).' } } },
      { id: 'CRED01', messageStrings: { default: { text: 'Credential {0} is hard-coded.' } }, properties: { tags: ['CWE-798'] } },
    ];
    const results = [
      { ruleId: 'NULL01', level: 'error', message: { id: 'default', arguments: ['user', 'login'] } },
      { ruleId: 'CRED01', level: 'error', message: { id: 'default', arguments: ['Qm9vbS1kYi1wdw-deploy-key'] } },
      { ruleId: 'NULL01', level: 'warning', message: { id: 'constructor', arguments: ['x'] } }, // no such template (and not Object's)
      { ruleId: 'NULL01', level: 'note', message: { id: 'default', arguments: ['only-one'] } },
    ];
    // Tool first (CodeQL's order), and results first (keys sorted, as Semgrep writes them).
    for (const run of [{ tool: { driver: { name: 'analyzer', rules } }, results }, { results, tool: { driver: { name: 'analyzer', rules } } }]) {
      const summary = await summaryOf(JSON.stringify({ version: '2.1.0', runs: [run] }));
      expect(summary.findings!.map((finding) => finding.message)).toEqual([
        'Variable "user" in {login} may be null; see the assignment.',
        'Credential [redacted:secret-scanner-finding] is hard-coded.',
        undefined,
        'Variable "only-one" in {{1}} may be null; see the assignment.',
      ]);
      expect(JSON.stringify(summary)).not.toContain('Qm9vbS1kYi1wdw');
    }
  });
});
