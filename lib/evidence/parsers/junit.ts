/**
 * JUnit XML reports (Surefire, pytest, Jest, go-junit-report...): <testsuites> or a single
 * <testsuite>. Test cases are counted from the <testcase> elements themselves rather than from
 * the suites' attributes, which some tools get wrong. Documents with a DOCTYPE are refused:
 * a test report never needs one, and entity expansion is an attack surface.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { rejectDocument } from '../errors';

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

type Element = Record<string, unknown>;

export function parseJunit(text: string): JunitSummary {
  if (/<!DOCTYPE/i.test(text)) rejectDocument('the XML has a DOCTYPE declaration; JUnit reports need none, and they are not accepted');
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    rejectDocument(`invalid XML at line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg}`);
  }
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    isArray: (name) => ARRAYS.has(name),
    processEntities: true,
    htmlEntities: false,
    parseTagValue: false,
    parseAttributeValue: false,
  });
  const document = parser.parse(text) as Element;
  const rootName = Object.keys(document).find((key) => !key.startsWith('?'));
  if (rootName !== 'testsuites' && rootName !== 'testsuite') {
    rejectDocument(`this is not a JUnit report: the root element is <${rootName ?? ''}>, expected <testsuites> or <testsuite>`);
  }
  const summary: JunitSummary = { format: 'junit', suites: 0, tests: 0, passed: 0, failures: 0, errors: 0, skipped: 0, time: null, failed: [] };
  const rootValue = document[rootName];
  const roots = (Array.isArray(rootValue) ? rootValue : [rootValue]).filter(isElement);
  if (rootName === 'testsuites') {
    for (const root of roots) {
      for (const suite of elements(root.testsuite)) visitSuite(suite, summary, []);
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

function visitSuite(suite: Element, summary: JunitSummary, names: string[]): void {
  summary.suites++;
  const name = typeof suite['@name'] === 'string' ? suite['@name'] : '';
  const path = name ? [...names, name] : names;
  if (names.length === 0) {
    const time = numberAttribute(suite, 'time');
    if (time !== null) summary.time = (summary.time ?? 0) + time;
  }
  for (const testcase of elements(suite.testcase)) {
    summary.tests++;
    const failed = elements(testcase.failure).length > 0 || testcase.failure === '';
    const errored = elements(testcase.error).length > 0 || testcase.error === '';
    const skipped = testcase.skipped !== undefined;
    if (errored) summary.errors++;
    else if (failed) summary.failures++;
    else if (skipped) summary.skipped++;
    if ((failed || errored) && summary.failed.length < 50) {
      const caseName = typeof testcase['@name'] === 'string' ? testcase['@name'] : '(unnamed)';
      summary.failed.push([...path, caseName].join(' › '));
    }
  }
  for (const child of elements(suite.testsuite)) visitSuite(child, summary, path);
}

function elements(value: unknown): Element[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map((item) => (isElement(item) ? item : {}));
}

function isElement(value: unknown): value is Element {
  return typeof value === 'object' && value !== null;
}

function numberAttribute(element: Element, name: string): number | null {
  const raw = element[`@${name}`];
  if (typeof raw !== 'string') return null;
  const value = Number.parseFloat(raw.replace(/,/g, ''));
  return Number.isFinite(value) ? value : null;
}
