/**
 * Judging a release again: the request its passport answered (same service, environment, commit,
 * image, evidence and artifacts) evaluated now, with what is true now (approvals, the policy's
 * current version, fresh connector readings). A new passport; the old one stays as it was. This is
 * how an approval reaches a blocked release without re-running its pipeline.
 */
import type { RuntimeDb } from '@/db/runtime';
import { passportDetails } from '@/lib/passport/store';
import { evaluateGateRequest, type GateContext, type GateOutcome } from './service';

export async function reevaluateRelease(db: RuntimeDb, workspace: { id: string; slug: string }, passportId: string, context: GateContext): Promise<GateOutcome> {
  const { inputs } = await passportDetails(db, workspace.id, passportId);
  const { release } = inputs;
  return evaluateGateRequest(
    db,
    workspace,
    {
      service: release.service,
      environment: release.environment,
      sourceSha: release.sourceSha,
      imageDigest: release.imageDigest,
      chartVersion: release.chartVersion,
      evidence: inputs.evidence.map((item) => item.sha256),
      artifacts: inputs.artifacts.map((artifact) => ({ name: artifact.name, sha256: artifact.sha256 })),
    },
    context,
  );
}
