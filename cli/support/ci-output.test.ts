import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { GateAnswer } from '../commands/gate';
import { githubAnnotations, writeCiOutputs } from './ci-output';

const answer = (overrides: Partial<GateAnswer> = {}): GateAnswer => ({
  decision: 'deny',
  mode: 'enforce',
  requestedMode: 'enforce',
  blocking: true,
  reasons: [
    { ruleId: 'no-high', type: 'sarif-severity', status: 'fail', effect: 'deny', message: '1 high finding (limit 0): js/sql-injection, in src/db.ts', measured: { high: 1 }, threshold: { high: 0 }, evidence: [] },
    { ruleId: 'fresh-sbom', type: 'evidence-required', status: 'stale', effect: 'warn', message: 'the SBOM is 9 days old', measured: null, threshold: null, evidence: [] },
    { ruleId: 'sbom', type: 'sbom-present', status: 'pass', effect: 'none', message: 'the SBOM lists 12 components', measured: null, threshold: null, evidence: [] },
  ],
  notes: [],
  evaluatedAt: '2026-12-05T00:00:00.000Z',
  inputHash: 'a'.repeat(64),
  policy: { id: 'p', name: 'Checkout, with sign-off', version: 3, hash: 'h' },
  release: { id: '00000000-0000-4000-8000-000000000000', service: 'checkout', environment: 'production', sourceSha: 'b'.repeat(40), imageDigest: `sha256:${'c'.repeat(64)}`, chartVersion: null },
  passport: { id: 'd'.repeat(64), url: '/api/v1/passports/x', consoleUrl: '/console/acme/passports/x', keyId: 'k', envelope: { payloadType: 'application/vnd.in-toto+json', payload: '', signatures: [] } },
  ...overrides,
});

describe('CI output of rp gate', () => {
  it('annotates GitHub Actions: an error per blocking rule, a warning per warning, escaped as workflow commands', () => {
    expect(githubAnnotations(answer())).toEqual([
      '::error title=Release Passport%3A no-high blocks the release::checkout → production: 1 high finding (limit 0): js/sql-injection, in src/db.ts',
      '::warning title=Release Passport%3A fresh-sbom warns::checkout → production: the SBOM is 9 days old',
    ]);
    // Not blocking (advisory): the deny is a warning that says what enforce mode would do.
    expect(githubAnnotations(answer({ blocking: false, mode: 'advisory' }))[0]).toBe(
      '::warning title=Release Passport%3A no-high would block in enforce mode (advisory now)::checkout → production: 1 high finding (limit 0): js/sql-injection, in src/db.ts',
    );
  });

  it('writes the GitHub job summary and the GitLab JUnit report where those CIs look for them', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-ci-output-'));
    const summary = path.join(dir, 'summary.md');
    const report = path.join(dir, 'gate.xml');
    const lines: string[] = [];
    writeCiOutputs(answer(), 'https://rp.example.com/console/acme/passports/x', { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary, GITLAB_CI: 'true', RP_GATE_REPORT: report }, (line) => lines.push(line));
    const markdown = fs.readFileSync(summary, 'utf8');
    expect(markdown).toContain('### Release Passport: ❌ Blocked');
    expect(markdown).toContain('| `no-high` | fail | deny | 1 high finding (limit 0): js/sql-injection, in src/db.ts |');
    expect(markdown).toContain('(https://rp.example.com/console/acme/passports/x)');
    const junit = new XMLParser({ ignoreAttributes: false }).parse(fs.readFileSync(report, 'utf8'));
    expect(junit.testsuites['@_tests']).toBe('3');
    expect(junit.testsuites['@_failures']).toBe('1');
    const cases = junit.testsuites.testsuite.testcase as Array<Record<string, unknown>>;
    expect(cases.map((testcase) => testcase['@_name'])).toEqual(['no-high (sarif-severity)', 'fresh-sbom (evidence-required)', 'sbom (sbom-present)']);
    expect(cases[0]!.failure).toBeDefined();
    expect(lines.filter((line) => line.startsWith('::'))).toHaveLength(2);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('warns and goes on when the summary or the report cannot be written: the exit code stays the decision\'s', () => {
    const lines: string[] = [];
    const warnings: string[] = [];
    const missing = path.join(os.tmpdir(), `rp-no-such-dir-${process.pid}`, 'out');
    writeCiOutputs(answer({ blocking: false, mode: 'shadow' }), 'https://rp.example.com/x', { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: `${missing}/summary.md`, GITLAB_CI: 'true', RP_GATE_REPORT: `${missing}/gate.xml` }, (line) => lines.push(line), (line) => warnings.push(line));
    expect(warnings).toEqual([
      `rp: could not write the job summary to ${missing}/summary.md (ENOENT); the decision above stands`,
      `rp: could not write the JUnit report to ${missing}/gate.xml (ENOENT); the decision above stands`,
    ]);
    // The annotations still went out; the report is not announced as written.
    expect(lines.filter((line) => line.startsWith('::'))).toHaveLength(2);
    expect(lines.some((line) => line.includes('JUnit report'))).toBe(false);
  });

  it('writes nothing outside those CIs', () => {
    const lines: string[] = [];
    writeCiOutputs(answer(), 'https://rp.example.com/x', {}, (line) => lines.push(line));
    expect(lines).toEqual([]);
  });
});
