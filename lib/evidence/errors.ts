import { ProblemError } from '@/lib/http/problem';

/** A document that cannot be accepted as the evidence it claims to be: 422 with the reason. */
export function rejectDocument(reason: string): never {
  throw new ProblemError('unprocessable', reason);
}
