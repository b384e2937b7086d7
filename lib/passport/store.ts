/**
 * Reading passports back, and replaying them: the stored inputs and the stored policy version,
 * judged again at the stored evaluation time, must give the same payload byte for byte.
 */
import { and, desc, eq, gt } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { RuntimeDb } from '@/db/runtime';
import type { Decision } from '@/lib/domain/primitives';
import { environments, gateDecisions, passports, services } from '@/db/schema/runtime';
import type { AppliedPolicy } from '@/lib/gate/evaluate';
import { gateInputsSchema, type GateInputs } from '@/lib/gate/inputs';
import { ProblemError } from '@/lib/http/problem';
import { policyVersion } from '@/lib/policy/store';
import type { DsseEnvelope } from './dsse';
import { replayDetails, type ReplayResult } from './replay';
import { envelopeFromStored } from './stored-envelope';
import type { PassportStatement } from './statement';

export interface PassportDetails {
  id: string;
  workspace: string;
  decision: 'allow' | 'warn' | 'deny';
  mode: 'shadow' | 'advisory' | 'enforce';
  blocking: boolean;
  evaluatedAt: string;
  keyId: string;
  envelope: DsseEnvelope;
  statement: PassportStatement;
  inputs: GateInputs;
  policy: AppliedPolicy;
}

export async function passportDetails(db: RuntimeDb, workspaceId: string, id: string): Promise<PassportDetails> {
  const [row] = await db
    .select({ passport: passports, inputs: gateDecisions.inputs, policyId: gateDecisions.policyId, policyVersion: gateDecisions.policyVersion })
    .from(passports)
    .innerJoin(gateDecisions, and(eq(gateDecisions.id, passports.decisionId), eq(gateDecisions.workspaceId, workspaceId)))
    .where(and(eq(passports.workspaceId, workspaceId), eq(passports.id, id)));
  if (!row) throw new ProblemError('not-found', `There is no passport ${id} in this workspace.`);
  const statement = JSON.parse(row.passport.payload) as PassportStatement;
  const stored = statement.predicate.policy;
  const policy = (row.policyId ? await policyVersion(db, workspaceId, row.policyId, row.policyVersion) : null) ?? {
    // The policy was deleted since: its identity is still in the passport, its rules are not.
    ...stored,
    rules: [],
  };
  return {
    id: row.passport.id,
    workspace: statement.predicate.workspace,
    decision: row.passport.decision,
    mode: row.passport.mode,
    blocking: row.passport.blocking,
    evaluatedAt: row.passport.evaluatedAt.toISOString(),
    keyId: row.passport.keyId,
    envelope: envelopeFromStored(row.passport),
    statement,
    inputs: gateInputsSchema.parse(row.inputs),
    policy,
  };
}

export async function replayPassport(db: RuntimeDb, workspaceId: string, id: string): Promise<ReplayResult> {
  return replayDetails(await passportDetails(db, workspaceId, id));
}

/** The release, service and environment of a passport: what authorization needs before it is read. */
export interface NewerPassport {
  id: string;
  decision: Decision;
  blocking: boolean;
  evaluatedAt: string;
}

/**
 * The newest passport of the same release made after this one (an evaluation again, after an
 * approval or a new pipeline run), or null: what `rp gate --wait-for-approval` waits for.
 */
export async function newerPassport(db: RuntimeDb, workspaceId: string, passportId: string): Promise<NewerPassport | null> {
  // Compared in the database: its timestamps have microseconds, a JavaScript Date only milliseconds.
  const current = alias(passports, 'current');
  const [newest] = await db
    .select({ id: passports.id, decision: passports.decision, blocking: passports.blocking, evaluatedAt: passports.evaluatedAt })
    .from(passports)
    .innerJoin(current, and(eq(current.workspaceId, workspaceId), eq(current.id, passportId), eq(current.releaseId, passports.releaseId)))
    .where(and(eq(passports.workspaceId, workspaceId), gt(passports.createdAt, current.createdAt)))
    .orderBy(desc(passports.createdAt), desc(passports.id))
    .limit(1);
  return newest ? { ...newest, evaluatedAt: newest.evaluatedAt.toISOString() } : null;
}

export async function passportScope(db: RuntimeDb, workspaceId: string, passportId: string): Promise<{ releaseId: string; service: string; environment: string }> {
  const [row] = await db
    .select({ releaseId: passports.releaseId, service: services.slug, environment: environments.slug })
    .from(passports)
    .innerJoin(services, and(eq(services.id, passports.serviceId), eq(services.workspaceId, workspaceId)))
    .innerJoin(environments, and(eq(environments.id, passports.environmentId), eq(environments.workspaceId, workspaceId)))
    .where(and(eq(passports.workspaceId, workspaceId), eq(passports.id, passportId)));
  if (!row) throw new ProblemError('not-found', 'There is no such passport in this workspace.');
  return row;
}
