/**
 * What changed between two passports of the same service in the same environment, in words a
 * release engineer reads at a glance: the release identity, the decision and mode, the policy
 * version, the evidence (by kind and digest), each rule's status, and the approvals. Pure.
 */
import type { PassportStatement } from '@/lib/passport/statement';

export interface Change {
  what: 'release' | 'decision' | 'mode' | 'policy' | 'evidence' | 'rule' | 'approvals';
  text: string;
}

const short = (digest: string) => digest.replace(/^sha256:/, '').slice(0, 12);

export function passportChanges(previous: PassportStatement, latest: PassportStatement): Change[] {
  const before = previous.predicate;
  const after = latest.predicate;
  const changes: Change[] = [];

  if (before.release.sourceSha !== after.release.sourceSha) {
    changes.push({ what: 'release', text: `source ${before.release.sourceSha.slice(0, 12)} → ${after.release.sourceSha.slice(0, 12)}` });
  }
  if (before.release.imageDigest !== after.release.imageDigest) {
    changes.push({ what: 'release', text: `image ${short(before.release.imageDigest)} → ${short(after.release.imageDigest)}` });
  }
  if ((before.release.chartVersion ?? null) !== (after.release.chartVersion ?? null)) {
    changes.push({ what: 'release', text: `chart ${before.release.chartVersion ?? 'none'} → ${after.release.chartVersion ?? 'none'}` });
  }
  if (before.decision.result !== after.decision.result) changes.push({ what: 'decision', text: `decision ${before.decision.result} → ${after.decision.result}` });
  if (before.decision.mode !== after.decision.mode) changes.push({ what: 'mode', text: `mode ${before.decision.mode} → ${after.decision.mode}` });
  if (before.policy.id !== after.policy.id) {
    changes.push({ what: 'policy', text: `policy "${before.policy.name}" → "${after.policy.name}" v${after.policy.version}` });
  } else if (before.policy.version !== after.policy.version) {
    changes.push({ what: 'policy', text: `policy v${before.policy.version} → v${after.policy.version}` });
  }

  const kinds = [...new Set([...before.evidence, ...after.evidence].map((item) => item.kind))].sort();
  for (const kind of kinds) {
    const old = new Set(before.evidence.filter((item) => item.kind === kind).map((item) => item.sha256));
    const now = new Set(after.evidence.filter((item) => item.kind === kind).map((item) => item.sha256));
    const added = [...now].filter((digest) => !old.has(digest));
    const removed = [...old].filter((digest) => !now.has(digest));
    if (added.length && removed.length) changes.push({ what: 'evidence', text: `${kind} ${removed.map(short).join(', ')} → ${added.map(short).join(', ')}` });
    else if (added.length) changes.push({ what: 'evidence', text: `${kind} added (${added.map(short).join(', ')})` });
    else if (removed.length) changes.push({ what: 'evidence', text: `${kind} no longer given (${removed.map(short).join(', ')})` });
  }

  const oldRules = new Map(before.decision.reasons.map((reason) => [reason.ruleId, reason.status]));
  for (const reason of after.decision.reasons) {
    const was = oldRules.get(reason.ruleId);
    if (was === undefined) changes.push({ what: 'rule', text: `rule ${reason.ruleId} new: ${reason.status}` });
    else if (was !== reason.status) changes.push({ what: 'rule', text: `rule ${reason.ruleId} ${was} → ${reason.status}` });
  }
  const newRules = new Set(after.decision.reasons.map((reason) => reason.ruleId));
  for (const ruleId of oldRules.keys()) if (!newRules.has(ruleId)) changes.push({ what: 'rule', text: `rule ${ruleId} removed` });

  const approvers = (statement: PassportStatement) => new Set(statement.predicate.approvals.map((approval) => approval.approver)).size;
  if (approvers(previous) !== approvers(latest)) changes.push({ what: 'approvals', text: `approvals ${approvers(previous)} → ${approvers(latest)}` });
  return changes;
}
