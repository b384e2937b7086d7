/**
 * Real JUnit reports (lib/evidence/testing/real/SOURCES.md) that a count of <failure> elements
 * reads wrongly: each would have let a failed or empty run pass the tests-pass rule.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateRelease } from '@/lib/gate/evaluate';
import { EVALUATED_AT, evidence, inputs, policy } from '@/lib/gate/testing';
import { ProblemError } from '@/lib/http/problem';
import { analyzeBytes } from '../testing/fixtures';
import type { JunitSummary } from './junit';

const real = (name: string) => fs.readFileSync(path.join(__dirname, '..', 'testing', 'real', name));

async function summaryOf(name: string): Promise<JunitSummary> {
  return (await analyzeBytes('junit', real(name))).summary as JunitSummary;
}

async function testsRule(names: string[], rule: object = {}) {
  const reports = await Promise.all(names.map(async (name) => evidence('junit', await summaryOf(name))));
  const evaluation = evaluateRelease(inputs({ evidence: reports }), policy('enforce', [{ id: 'tests', type: 'tests-pass', ...rule }]), EVALUATED_AT);
  return evaluation.reasons[0]!;
}

describe('real JUnit reports are counted as their tools meant them', () => {
  it('a Google Test DISABLED_ test (status="notrun", no <skipped>) is skipped, not passed', async () => {
    expect(await summaryOf('googletest-1.12.1.junit.xml')).toMatchObject({ tests: 6, passed: 2, failures: 2, errors: 0, skipped: 2 });
  });

  it("tst's status='disabled' test cases are skipped", async () => {
    // The reference tool (publish-unit-test-result-action) reads this file as 6 passed, 19 failed, 1 error, 5 skipped.
    expect(await summaryOf('tst-disabled.junit.xml')).toMatchObject({ tests: 31, passed: 6, failures: 19, errors: 1, skipped: 5 });
  });

  it('a suite that failed to load (its own <error>, no test case) is an errored test, named', async () => {
    const summary = await summaryOf('ant-suite-error-no-cases.junit.xml');
    expect(summary).toMatchObject({ tests: 1, passed: 0, errors: 1, suitesCountedFromTotals: 1 });
    expect(summary.failed).toEqual(['gda.device.detector.XHDetectorTest › (the suite itself: java.lang.NoClassDefFoundError)']);
    const result = await testsRule(['ant-suite-error-no-cases.junit.xml', 'googletest-1.12.1.junit.xml'], { maxFailures: 2 });
    expect(result).toMatchObject({ status: 'fail', measured: { tests: 7, ran: 5, failed: 3 } });
    expect(result.message).toContain('gda.device.detector.XHDetectorTest › (the suite itself: java.lang.NoClassDefFoundError)');
  });

  it('a suite that gives totals but lists no test case is counted from its totals, and says so', async () => {
    const summary = await summaryOf('pytest-no-cases-but-totals.junit.xml');
    expect(summary).toMatchObject({ tests: 6, passed: 3, failures: 1, skipped: 2, suitesCountedFromTotals: 1 });
    expect(summary.failed).toEqual(["pytest › (1 failed by the suite's totals; the report names no test case)"]);
    expect(await testsRule(['pytest-no-cases-but-totals.junit.xml'])).toMatchObject({ status: 'fail', measured: { failed: 1 } });
  });

  it("Surefire's reruns: a test that passed on a retry passes (and is noted), one that failed every retry fails", async () => {
    // The suite's own attributes say failures="2" for the flaky test: the test cases are what count.
    expect(await summaryOf('surefire-3.0.2-flaky.junit.xml')).toMatchObject({ tests: 1, passed: 1, failures: 0, flaky: 1 });
    expect(await summaryOf('surefire-3.0.2-rerun-fails.junit.xml')).toMatchObject({ tests: 1, passed: 0, failures: 1, flaky: 0 });
    expect(await testsRule(['surefire-3.0.2-flaky.junit.xml'])).toMatchObject({ status: 'pass', message: '1 test, 0 failed (1 passed only on a retry)' });
  });

  it("Vitest's and Node's test runner's reports: a failing import and a throwing set-up hook count as failed tests; todo tests as skipped", async () => {
    expect(await summaryOf('vitest-4.1.12.junit.xml')).toMatchObject({ tests: 7, passed: 1, failures: 3, errors: 0, skipped: 3 });
    expect(await summaryOf('node-20.20.2-test-runner.junit.xml')).toMatchObject({ tests: 5, passed: 1, failures: 2, errors: 0, skipped: 2 });
  });

  it('a report cut short is refused with what is still open, not a validator dump', async () => {
    const error = await analyzeBytes('junit', real('pytest-cut-short.junit.xml')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProblemError);
    expect((error as ProblemError).message).toBe(
      'A JUnit XML report is read, but this file was refused: the file ends (line 11) before <skipped> is closed (still open: <testsuites> › <testsuite> › <testcase> › <skipped>): it looks cut short; upload the complete file',
    );
  });
});

describe("the .NET runners' own report formats", () => {
  it.each([
    ['mstest-pickles.trx', 'A Visual Studio TRX test report'],
    ['nunit3-timewarpinc.xml', 'An NUnit 3 test report'],
    ['xunit-fixie.xml', 'An xUnit.net test report'],
  ])('%s is refused, named, with how to get JUnit XML instead', async (name, format) => {
    const error = await analyzeBytes('junit', real(name)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProblemError);
    expect((error as ProblemError).message).toMatch(new RegExp(`^${format} is not junit evidence \\(JUnit XML report\\): the gate reads test results as JUnit XML: .*JunitXml\\.TestLogger`));
  });
});

describe('tests-pass counts only tests that ran towards minTests', () => {
  it('a report whose every test was disabled proves nothing', async () => {
    const allDisabled = evidence('junit', {
      format: 'junit',
      suites: 1,
      tests: 2,
      passed: 0,
      failures: 0,
      errors: 0,
      skipped: 2,
      time: 0,
      failed: [],
    } satisfies JunitSummary);
    const evaluation = evaluateRelease(inputs({ evidence: [allDisabled] }), policy('enforce', [{ id: 'tests', type: 'tests-pass' }]), EVALUATED_AT);
    expect(evaluation.reasons[0]).toMatchObject({ status: 'fail', message: 'the reports hold 2 tests, of which none ran; at least 1 must run', measured: { tests: 2, ran: 0 } });
  });
});
