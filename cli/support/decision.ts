/** How `rp gate` shows a decision: the release, the policy, a table of reasons, the verdict. */
import type { GateAnswer } from '../commands/gate';
import { shortDigest, table } from './output';

const STATUS_MARK: Record<string, string> = { pass: 'ok', warn: 'WARN', fail: 'FAIL', missing: 'MISSING', stale: 'STALE' };

export function printDecision(answer: GateAnswer, baseUrl: string): void {
  for (const line of formatDecision(answer, baseUrl)) console.log(line);
}

/** The lines `rp gate` prints for an answer (the landing page's sample is made with this too). */
export function formatDecision(answer: GateAnswer, baseUrl: string): string[] {
  const { release, policy } = answer;
  const lines = [
    `Release ${release.service} → ${release.environment}`,
    `  source ${release.sourceSha.slice(0, 12)}  image ${shortDigest(release.imageDigest)}${release.chartVersion ? `  chart ${release.chartVersion}` : ''}`,
    `  policy "${policy.name}" v${policy.version} (${answer.requestedMode}${answer.mode !== answer.requestedMode ? `, applied as ${answer.mode}` : ''})`,
    '',
  ];
  if (answer.reasons.length > 0) {
    lines.push(
      table(
        ['RULE', 'STATUS', 'EFFECT', 'REASON'],
        answer.reasons.map((reason) => [reason.ruleId, STATUS_MARK[reason.status] ?? reason.status, reason.effect === 'none' ? '-' : reason.effect, reason.message]),
        [32, 8, 6, 160],
      ),
    );
    lines.push(...vexLines(answer));
  } else {
    lines.push('The policy has no rules.');
  }
  lines.push('', `Decision: ${answer.decision.toUpperCase()} (${verdict(answer)})`);
  for (const note of answer.notes) lines.push(`Note: ${note}`);
  lines.push(`Passport: ${answer.passport.id}`, `  ${new URL(answer.passport.consoleUrl, baseUrl).toString()}`);
  return lines;
}

/** What VEX statements did to each findings rule: each suppression with its justification, each statement not applied with why. */
function vexLines(answer: GateAnswer): string[] {
  const lines: string[] = [];
  for (const reason of answer.reasons) {
    if (!reason.vex) continue;
    lines.push('', `VEX for ${reason.ruleId}:`);
    for (const item of reason.vex.suppressed) {
      const why = [item.statusAsWritten ?? item.status, item.justification, item.impact].filter(Boolean).join(': ');
      lines.push(`  suppressed ${item.vulnerability} (${item.severity}${item.count > 1 ? `, ${item.count} findings` : ''}) in ${item.product}: ${why} [VEX ${shortDigest(item.vex)}]`);
    }
    for (const item of reason.vex.notApplied) lines.push(`  not applied ${item.vulnerability} (${item.status}): ${item.reason} [VEX ${shortDigest(item.vex)}]`);
    if (reason.vex.notAppliedTotal > reason.vex.notApplied.length) lines.push(`  and ${reason.vex.notAppliedTotal - reason.vex.notApplied.length} more statements not applied`);
  }
  return lines;
}

function verdict(answer: GateAnswer): string {
  if (answer.blocking) return 'enforce mode: the release is blocked';
  if (answer.decision === 'allow') return `${answer.mode} mode: the release may proceed`;
  if (answer.mode === 'shadow') return 'shadow mode: recorded, not blocking';
  if (answer.mode === 'advisory') return 'advisory mode: a warning, not blocking';
  return 'not blocking';
}
