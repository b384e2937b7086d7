/** A SecretError as the API's problem+json: the message already names only the reference. */
import { ProblemError } from '@/lib/http/problem';
import type { SecretError } from './errors';

export function secretProblem(error: SecretError): ProblemError {
  switch (error.code) {
    case 'invalid-reference':
      return new ProblemError('validation-failed', error.message);
    case 'denied':
      return new ProblemError('forbidden', error.message);
    case 'not-set':
      return new ProblemError('unprocessable', error.message);
    case 'unsupported':
      return new ProblemError('bad-request', error.message);
    default:
      // tampered, key-mismatch, key-source, unreadable: the operator's problem, not the caller's.
      return new ProblemError('internal', `The secret store cannot serve ${error.reference ?? 'this request'} (${error.code}); the operator is told in the server status.`);
  }
}
