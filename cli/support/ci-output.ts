/**
 * What `rp gate` leaves for the CI it runs in, besides its exit code and printed table:
 * - GitHub Actions (GITHUB_ACTIONS=true): an `::error` annotation per rule that blocked the release,
 *   `::warning` for denies that did not block and for warnings, and a Markdown job summary
 *   (appended to $GITHUB_STEP_SUMMARY) with the decision, the rules and the passport's link;
 * - GitLab CI (GITLAB_CI=true): a JUnit report of the rule results (one test case per rule) at
 *   $RP_GATE_REPORT or rp-gate-report.xml, for `artifacts: reports: junit:`, so the merge request's
 *   test widget lists failing rules.
 */
import fs from 'node:fs';
import type { GateAnswer } from '../commands/gate';

type Env = Record<string, string | undefined>;

export function writeCiOutputs(
  answer: GateAnswer,
  passportLink: string,
  env: Env = process.env,
  log: (line: string) => void = console.log,
  warn: (line: string) => void = console.error,
): void {
  // The summary and the report are for reading the decision: failing to write one must not change
  // the exit code, which is the decision's (a shadow-mode deny once exited 1, "blocked", on ENOENT).
  const write = (what: string, file: string, action: () => void): boolean => {
    try {
      action();
      return true;
    } catch (error) {
      warn(`rp: could not write the ${what} to ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); the decision above stands`);
      return false;
    }
  };
  if (env.GITHUB_ACTIONS === 'true') {
    for (const line of githubAnnotations(answer)) log(line);
    const summary = env.GITHUB_STEP_SUMMARY;
    if (summary) write('job summary', summary, () => fs.appendFileSync(summary, githubSummary(answer, passportLink)));
  }
  if (env.GITLAB_CI === 'true') {
    const file = env.RP_GATE_REPORT || 'rp-gate-report.xml';
    if (write('JUnit report', file, () => fs.writeFileSync(file, junitReport(answer, passportLink)))) log(`Rule results as a JUnit report: ${file} (artifacts: reports: junit)`);
  }
}

/** Workflow commands: one annotation per rule that denied or warned. */
export function githubAnnotations(answer: GateAnswer): string[] {
  const where = `${answer.release.service} → ${answer.release.environment}`;
  return answer.reasons
    .filter((reason) => reason.effect === 'deny' || reason.effect === 'warn')
    .map((reason) => {
      const level = reason.effect === 'deny' && answer.blocking ? 'error' : 'warning';
      const consequence = reason.effect === 'deny' ? (answer.blocking ? 'blocks the release' : `would block in enforce mode (${answer.mode} now)`) : 'warns';
      return `::${level} title=${escapeProperty(`Release Passport: ${reason.ruleId} ${consequence}`)}::${escapeData(`${where}: ${reason.message}`)}`;
    });
}

export function githubSummary(answer: GateAnswer, passportLink: string): string {
  const heading = answer.blocking ? '❌ Blocked' : answer.decision === 'allow' ? '✅ Allowed' : answer.decision === 'warn' ? '⚠️ Allowed with warnings' : `⚠️ Denied, not blocking (${answer.mode} mode)`;
  const rows = answer.reasons.map((reason) => `| \`${cell(reason.ruleId)}\` | ${cell(reason.status)} | ${cell(reason.effect === 'none' ? '—' : reason.effect)} | ${cell(reason.message)} |`);
  return [
    `### Release Passport: ${heading}`,
    '',
    `**${cell(answer.release.service)} → ${cell(answer.release.environment)}**, policy "${cell(answer.policy.name)}" v${answer.policy.version} (${answer.mode} mode)`,
    '',
    ...(rows.length ? ['| Rule | Result | Effect | Why |', '| --- | --- | --- | --- |', ...rows] : ['The policy has no rules.']),
    '',
    ...answer.notes.map((note) => `> ${cell(note)}`),
    '',
    `Passport [\`${answer.passport.id.slice(0, 16)}…\`](${passportLink})`,
    '',
    '',
  ].join('\n');
}

export function junitReport(answer: GateAnswer, passportLink: string): string {
  const failures = answer.reasons.filter((reason) => reason.effect === 'deny').length;
  const cases = answer.reasons.map((reason) => {
    const name = `${reason.ruleId} (${reason.type})`;
    const body =
      reason.effect === 'deny'
        ? `<failure message="${xml(reason.message)}" type="${xml(reason.status)}">${xml(`${reason.message}\nPassport: ${passportLink}`)}</failure>`
        : reason.effect === 'warn'
          ? `<system-out>${xml(`warning: ${reason.message}`)}</system-out>`
          : '';
    return `    <testcase classname="${xml(`release-passport.${answer.release.service}.${answer.release.environment}`)}" name="${xml(name)}">${body}</testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="Release Passport gate" tests="${answer.reasons.length}" failures="${failures}">`,
    `  <testsuite name="${xml(`${answer.release.service} → ${answer.release.environment} (${answer.mode} mode)`)}" tests="${answer.reasons.length}" failures="${failures}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

// GitHub's workflow-command escaping (actions/toolkit's command.ts).
function escapeData(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
function escapeProperty(value: string): string {
  return escapeData(value).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
function cell(value: string): string {
  return value.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}
function xml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
