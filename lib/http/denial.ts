import type { AuditActor } from '@/lib/audit/event';
import { ProblemError, type ProblemCode } from './problem';

/**
 * An authentication or authorization refusal: a problem response for the caller and an audit
 * event (outcome deny) for the workspace it concerned, or the installation when none is known.
 */
export class AccessDenied extends ProblemError {
  constructor(
    code: Extract<ProblemCode, 'unauthorized' | 'forbidden' | 'not-found'>,
    detail: string,
    readonly audit: { workspaceId: string | null; actor: AuditActor; reason: string },
    options: { headers?: Record<string, string> } = {},
  ) {
    super(code, detail, options);
    this.name = 'AccessDenied';
  }
}
