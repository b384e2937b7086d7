/**
 * JUnit XML reports (Surefire, pytest, Jest, go-junit-report...): <testsuites> or a single
 * <testsuite>. Test cases are counted from the <testcase> elements themselves rather than from
 * the suites' attributes, which some tools get wrong. Documents with a DOCTYPE are refused:
 * a test report never needs one, and entity expansion is an attack surface.
 */
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
  /** Total time in seconds, when the report says. */
  time: number | null;
  /** "suite › test" of the failed and errored cases (at most 50). */
  failed: string[];
}

const ARRAYS = new Set(['testsuite', 'testcase', 'failure', 'error', 'skipped']);

export function parseJunit(text: string): JunitSummary {
  const document = parseEvidenceXml(text, 'JUnit reports', ARRAYS);
  const rootName = rootElementName(document);
  if (rootName !== 'testsuites' && rootName !== 'testsuite') {
    rejectDocument(`this is not a JUnit report: the root element is <${rootName ?? ''}>, expected <testsuites> or <testsuite>`);
  }
  const summary: JunitSummary = { format: 'junit', suites: 0, tests: 0, passed: 0, failures: 0, errors: 0, skipped: 0, time: null, failed: [] };
  const rootValue = document[rootName];
  const roots = (Array.isArray(rootValue) ? rootValue : [rootValue]).filter(isXmlElement);
  if (rootName === 'testsuites') {
    for (const root of roots) {
      for (const suite of xmlElements(root.testsuite)) visitSuite(suite, summary, []);
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
  for (const testcase of xmlElements(suite.testcase)) {
    summary.tests++;
    const failed = xmlElements(testcase.failure).length > 0 || testcase.failure === '';
    const errored = xmlElements(testcase.error).length > 0 || testcase.error === '';
    const skipped = testcase.skipped !== undefined;
    if (errored) summary.errors++;
    else if (failed) summary.failures++;
    else if (skipped) summary.skipped++;
    if ((failed || errored) && summary.failed.length < 50) {
      const caseName = typeof testcase['@name'] === 'string' ? testcase['@name'] : '(unnamed)';
      summary.failed.push([...path, caseName].join(' › '));
    }
  }
  for (const child of xmlElements(suite.testsuite)) visitSuite(child, summary, path);
}

function numberAttribute(element: XmlElement, name: string): number | null {
  const raw = element[`@${name}`];
  if (typeof raw !== 'string') return null;
  const value = Number.parseFloat(raw.replace(/,/g, ''));
  return Number.isFinite(value) ? value : null;
}
