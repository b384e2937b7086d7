/**
 * JUnit XML reports (Surefire, pytest, Jest, Google Test, go-junit-report...): <testsuites> or a
 * single <testsuite>. Test cases are counted from the <testcase> elements themselves rather than
 * from the suites' attributes, which some tools get wrong (Surefire counts every rerun of a flaky
 * test as a failure there). Three things real reports do that a count of <failure> elements misses,
 * each of which would let a failed run read as green:
 * - a suite that failed as a whole (its class did not load, its set-up threw) carries an <error>
 *   or <failure> of its own, beside or instead of test cases: it counts as one errored test;
 * - a suite that lists no test cases at all but gives totals (tests="6" failures="1") is counted
 *   from those totals;
 * - a test case that did not run says so in its status (Google Test's status="notrun"
 *   result="suppressed" for DISABLED_ tests, tst's status="disabled") with no <skipped> element: it
 *   counts as skipped, never as passed. A status of failed or errored counts as such too.
 * Documents with a DOCTYPE are refused: a test report never needs one, and entity expansion is an
 * attack surface.
 */
import { formatCount, plural } from '@/lib/text/plural';
import { rejectDocument } from '../errors';
import { isXmlElement, parseEvidenceXml, rootElementName, xmlElements, type XmlElement } from './xml';

export interface JunitSummary {
  format: 'junit';
  suites: number;
  tests: number;
  passed: number;
  failures: number;
  errors: number;
  skipped: number;
  /**
   * Tests that failed and then passed when the tool ran them again (Surefire's <flakyFailure>):
   * counted as passed, and said. Absent from summaries made before 2026-12-07.
   */
  flaky?: number;
  /** Suites that listed no test cases and were counted from their totals (tests="..." failures="..."). */
  suitesCountedFromTotals?: number;
  /** Total time in seconds, when the report says. */
  time: number | null;
  /** "suite › test" of the failed and errored cases (at most 50). */
  failed: string[];
}

const ARRAYS = new Set(['testsuite', 'testcase', 'failure', 'error', 'skipped', 'flakyFailure', 'flakyError']);
const MAX_NAMED = 50;
const NOT_RUN_STATUSES = new Set(['notrun', 'not_run', 'disabled', 'skipped', 'skip', 'ignored']);
const NOT_RUN_RESULTS = new Set(['suppressed', 'skipped']);
const FAILED_STATUSES = new Set(['failed', 'failure', 'fail']);
const ERRORED_STATUSES = new Set(['error', 'errored']);

export function parseJunit(text: string): JunitSummary {
  const document = parseEvidenceXml(text, 'JUnit reports', ARRAYS);
  const rootName = rootElementName(document);
  if (rootName !== 'testsuites' && rootName !== 'testsuite') {
    rejectDocument(`this is not a JUnit report: the root element is <${rootName ?? ''}>, expected <testsuites> or <testsuite>`);
  }
  const summary: JunitSummary = {
    format: 'junit',
    suites: 0,
    tests: 0,
    passed: 0,
    failures: 0,
    errors: 0,
    skipped: 0,
    flaky: 0,
    suitesCountedFromTotals: 0,
    time: null,
    failed: [],
  };
  const rootValue = document[rootName];
  const roots = (Array.isArray(rootValue) ? rootValue : [rootValue]).filter(isXmlElement);
  if (rootName === 'testsuites') {
    for (const root of roots) {
      for (const suite of xmlElements(root.testsuite)) visitSuite(suite, summary, []);
      // Some tools (Google Test's runner wrapped by others, a few JS reporters) put test cases
      // straight under <testsuites>.
      for (const testcase of xmlElements(root.testcase)) countTestcase(testcase, summary, []);
      const time = numberAttribute(root, 'time');
      if (time !== null) summary.time = time;
    }
  } else {
    for (const suite of roots) visitSuite(suite, summary, []);
  }
  summary.passed = summary.tests - summary.failures - summary.errors - summary.skipped;
  if (summary.time !== null) summary.time = Math.round(summary.time * 1000) / 1000;
  return summary;
}

function visitSuite(suite: XmlElement, summary: JunitSummary, names: string[]): void {
  summary.suites++;
  const name = typeof suite['@name'] === 'string' ? suite['@name'] : '';
  const path = name ? [...names, name] : names;
  if (names.length === 0) {
    const time = numberAttribute(suite, 'time');
    if (time !== null) summary.time = (summary.time ?? 0) + time;
  }
  if (!holdsTestcases(suite) && countFromTotals(suite, summary, path)) {
    for (const child of xmlElements(suite.testsuite)) summary.suites += countSuites(child);
    return;
  }
  countSuiteFailure(suite, summary, path);
  for (const testcase of xmlElements(suite.testcase)) countTestcase(testcase, summary, path);
  for (const child of xmlElements(suite.testsuite)) visitSuite(child, summary, path);
}

function countTestcase(testcase: XmlElement, summary: JunitSummary, path: string[]): void {
  summary.tests++;
  const status = lowerAttribute(testcase, 'status');
  const result = lowerAttribute(testcase, 'result');
  const failed = xmlElements(testcase.failure).length > 0 || FAILED_STATUSES.has(status);
  const errored = xmlElements(testcase.error).length > 0 || ERRORED_STATUSES.has(status);
  const skipped = testcase.skipped !== undefined || NOT_RUN_STATUSES.has(status) || NOT_RUN_RESULTS.has(result);
  if (errored) summary.errors++;
  else if (failed) summary.failures++;
  else if (skipped) summary.skipped++;
  else if (xmlElements(testcase.flakyFailure).length > 0 || xmlElements(testcase.flakyError).length > 0) summary.flaky = (summary.flaky ?? 0) + 1;
  if (failed || errored) {
    const caseName = typeof testcase['@name'] === 'string' && testcase['@name'] ? testcase['@name'] : '(unnamed)';
    nameFailure(summary, [...path, caseName]);
  }
}

/** A suite's own <error> or <failure> (outside any test case): one errored or failed test. */
function countSuiteFailure(suite: XmlElement, summary: JunitSummary, path: string[]): void {
  const errors = xmlElements(suite.error).length;
  const failures = xmlElements(suite.failure).length;
  if (errors + failures === 0) return;
  summary.tests++;
  if (errors) summary.errors++;
  else summary.failures++;
  nameFailure(summary, [...path, `(the suite itself: ${failureType(suite)})`]);
}

/**
 * A suite with no test cases, counted from its totals (and its own <error>, if any, as at least
 * one). False when it gives no totals, so its child suites are visited instead.
 */
function countFromTotals(suite: XmlElement, summary: JunitSummary, path: string[]): boolean {
  const tests = countAttribute(suite, 'tests');
  if (tests === null) return false;
  const ownErrors = xmlElements(suite.error).length > 0 ? 1 : 0;
  const ownFailures = ownErrors === 0 && xmlElements(suite.failure).length > 0 ? 1 : 0;
  const errors = Math.max(countAttribute(suite, 'errors') ?? 0, ownErrors);
  const failures = Math.max(countAttribute(suite, 'failures') ?? 0, ownFailures);
  const total = Math.max(tests, errors + failures);
  if (total === 0) return true;
  const skipped = Math.min((countAttribute(suite, 'skipped') ?? 0) + (countAttribute(suite, 'disabled') ?? 0), total - errors - failures);
  summary.suitesCountedFromTotals = (summary.suitesCountedFromTotals ?? 0) + 1;
  summary.tests += total;
  summary.errors += errors;
  summary.failures += failures;
  summary.skipped += skipped;
  if (ownErrors + ownFailures > 0) {
    const more = errors + failures - 1;
    nameFailure(summary, [...path, `(the suite itself: ${failureType(suite)}${more > 0 ? `; ${more} more failed by its totals` : ''})`]);
  } else if (errors + failures > 0) {
    const what = [errors ? `${errors} errored` : '', failures ? `${failures} failed` : ''].filter(Boolean).join(', ');
    nameFailure(summary, [...path, `(${what} by the suite's totals; the report names no test case)`]);
  }
  return true;
}

function holdsTestcases(suite: XmlElement): boolean {
  return xmlElements(suite.testcase).length > 0 || xmlElements(suite.testsuite).some(holdsTestcases);
}

function countSuites(suite: XmlElement): number {
  return 1 + xmlElements(suite.testsuite).reduce((sum, child) => sum + countSuites(child), 0);
}

function nameFailure(summary: JunitSummary, path: string[]): void {
  if (summary.failed.length < MAX_NAMED) summary.failed.push(path.join(' › '));
}

function failureType(suite: XmlElement): string {
  const [element] = [...xmlElements(suite.error), ...xmlElements(suite.failure)];
  const type = element && typeof element['@type'] === 'string' ? element['@type'] : '';
  const message = element && typeof element['@message'] === 'string' ? element['@message'] : '';
  return (type || message || 'an error outside any test case').slice(0, 120);
}

function lowerAttribute(element: XmlElement, name: string): string {
  const raw = element[`@${name}`];
  return typeof raw === 'string' ? raw.trim().toLowerCase() : '';
}

/** A non-negative whole count attribute, or null when absent or not a count. */
function countAttribute(element: XmlElement, name: string): number | null {
  const value = numberAttribute(element, name);
  return value !== null && Number.isInteger(value) && value >= 0 ? value : null;
}

function numberAttribute(element: XmlElement, name: string): number | null {
  const raw = element[`@${name}`];
  if (typeof raw !== 'string') return null;
  const value = Number.parseFloat(raw.replace(/,/g, ''));
  return Number.isFinite(value) ? value : null;
}

/** What a reader should know beside the counts: retried tests, suites counted from their totals. */
export function junitNotes(summary: Pick<JunitSummary, 'flaky' | 'suitesCountedFromTotals'>): string[] {
  const notes: string[] = [];
  if (summary.flaky) notes.push(`${formatCount(summary.flaky)} passed only on a retry`);
  if (summary.suitesCountedFromTotals) {
    notes.push(`${plural(summary.suitesCountedFromTotals, 'suite')} counted from ${summary.suitesCountedFromTotals === 1 ? 'its' : 'their'} totals, listing no test case`);
  }
  return notes;
}
