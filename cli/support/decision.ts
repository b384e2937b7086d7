/** How `rp gate` shows a decision: the release, the policy, a table of reasons, the verdict. */
import type { GateAnswer } from '../commands/gate';
import { shortDigest, table } from './output';

const STATUS_MARK: Record<string, string> = { pass: 'ok', warn: 'WARN', fail: 'FAIL', missing: 'MISSING', stale: 'STALE' };

export function printDecision(answer: GateAnswer, baseUrl: string): void {
  const { release, policy } = answer;
  console.log(`Release ${release.service} → ${release.environment}`);
  console.log(`  source ${release.sourceSha.slice(0, 12)}  image ${shortDigest(release.imageDigest)}${release.chartVersion ? `  chart ${release.chartVersion}` : ''}`);
  console.log(`  policy "${policy.name}" v${policy.version} (${answer.requestedMode}${answer.mode !== answer.requestedMode ? `, applied as ${answer.mode}` : ''})`);
  console.log('');
  if (answer.reasons.length > 0) {
    console.log(
      table(
        ['RULE', 'STATUS', 'EFFECT', 'REASON'],
        answer.reasons.map((reason) => [reason.ruleId, STATUS_MARK[reason.status] ?? reason.status, reason.effect === 'none' ? '-' : reason.effect, reason.message]),
        [32, 8, 6, 160],
      ),
    );
  } else {
    console.log('The policy has no rules.');
  }
  console.log('');
  console.log(`Decision: ${answer.decision.toUpperCase()} (${verdict(answer)})`);
  for (const note of answer.notes) console.log(`Note: ${note}`);
  console.log(`Passport: ${answer.passport.id}`);
  console.log(`  ${new URL(answer.passport.consoleUrl, baseUrl).toString()}`);
}

function verdict(answer: GateAnswer): string {
  if (answer.blocking) return 'enforce mode: the release is blocked';
  if (answer.decision === 'allow') return `${answer.mode} mode: the release may proceed`;
  if (answer.mode === 'shadow') return 'shadow mode: recorded, not blocking';
  if (answer.mode === 'advisory') return 'advisory mode: a warning, not blocking';
  return 'not blocking';
}
