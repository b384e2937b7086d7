/**
 * The one frame of every server action (`'use server'` files export only what these return).
 *
 * An action's id is public (it is in the page), and React lets any caller send it any arguments, so
 * the frame checks them against the parameters the action declares before the action runs: a
 * workspace slug of the workspace grammar, ids as bounded text, the form as a FormData whose text
 * fields are well-formed (no NUL, no lone surrogates, bounded). A malformed call is refused: a
 * failed form state for actions that return one, nothing at all for form-only actions; it is
 * logged at warn, never a 500 and never a write.
 *
 * While the action runs: a ProblemError becomes the form's message (each field error next to its
 * field); a database that is unavailable becomes "try again"; a database data exception (malformed
 * text the checks above let through, SQLSTATE class 22) becomes a refusal. Next's redirect() and
 * notFound() pass through untouched. Authorization stays inside the action (requireMember /
 * requireUser, then can() in the data-access function): the frame only decides what is well-formed.
 */
import { headers } from 'next/headers';
import { unstable_rethrow } from 'next/navigation';
import { z } from 'zod';
import { databaseUnavailableReason, isDataException } from '@/db/faults';
import { workspaceSlugSchema } from '@/lib/domain/primitives';
import { failed, type ActionState } from './action-state';
import { logger } from './logger';
import { ProblemError } from './problem';
import { REQUEST_ID_HEADER } from './request-id';
import { runInRequestScope } from './request-scope';

/** Longest text a form field may hold (a policy's rules, a PEM license, a comment fit easily). */
const MAX_FIELD_CHARS = 200_000;
/** Most entries a form may have (a policy editor sends one per rule). */
const MAX_FORM_ENTRIES = 500;

/** Text fields hold what a person can type: no NUL or other C0 controls but tab and line breaks, no lone surrogates. */
function malformedField(value: string): string | null {
  if (value.length > MAX_FIELD_CHARS) return `is longer than ${MAX_FIELD_CHARS} characters`;
  if (!value.isWellFormed()) return 'is not well-formed text';
  // eslint-disable-next-line no-control-regex -- the point is to find control characters
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(value)) return 'contains control characters';
  return null;
}

const formSchema = z.instanceof(FormData).superRefine((form, context) => {
  let entries = 0;
  for (const [name, value] of form.entries()) {
    if (++entries > MAX_FORM_ENTRIES) {
      context.addIssue({ code: 'custom', message: `has more than ${MAX_FORM_ENTRIES} fields` });
      return;
    }
    const problem = malformedField(name) ?? (typeof value === 'string' ? malformedField(value) : null);
    if (problem) context.addIssue({ code: 'custom', path: [name.isWellFormed() ? name.slice(0, 60) : '(field)'], message: problem });
  }
});

/** The parameters an action may declare, in the order it declares them. */
export const actionParam = {
  /** The workspace the action acts in (bound by the page). */
  workspace: workspaceSlugSchema,
  /** An id bound by the page (a passport, a policy, a connector): checked further by the data-access function. */
  id: z.string().min(1).max(200).refine((value) => malformedField(value) === null, 'is not well-formed text'),
  /** A one-time secret bound by the page (an invitation link's). */
  secret: z.string().min(1).max(500).refine((value) => malformedField(value) === null, 'is not well-formed text'),
  /** The state useActionState passes back: the action never reads it, so anything is accepted. */
  state: z.unknown(),
  /** The submitted form. */
  form: formSchema,
} as const;

type Params = readonly z.ZodType[];
type Args<P extends Params> = { -readonly [K in keyof P]: z.output<P[K]> };

function describe(error: z.ZodError): string {
  // "argument 3, field name: contains control characters" (the path's first step is the argument's index).
  return error.issues
    .map((issue) => {
      const [index, ...field] = issue.path;
      return `argument ${typeof index === 'number' ? index + 1 : '?'}${field.length ? `, field ${field.join('.')}` : ''}: ${issue.message}`;
    })
    .join('; ');
}

function parseArgs<P extends Params>(name: string, params: P, args: unknown[]): Args<P> | null {
  // Trailing arguments beyond the declared ones are ignored, as a plain function would: React passes
  // the form (and the state) to an action bound with all it reads (<form action={signOut}>).
  if (args.length < params.length) {
    logger.warn({ action: name, argumentCount: args.length }, 'server action refused a malformed call: too few arguments');
    return null;
  }
  const parsed = z.tuple(params as unknown as [z.ZodType, ...z.ZodType[]]).safeParse(args.slice(0, params.length));
  if (parsed.success) return parsed.data as Args<P>;
  const reason = describe(parsed.error);
  logger.warn({ action: name, reason: reason.slice(0, 500), argumentCount: args.length }, 'server action refused a malformed call');
  return null;
}

/** The request id the middleware gave this action's request (null outside a request: unit tests). */
async function requestIdOfAction(): Promise<string | null> {
  try {
    return (await headers()).get(REQUEST_ID_HEADER);
  } catch {
    return null;
  }
}

/** Runs the action in the request's scope, so its log lines carry the request id. */
async function inRequestScope<T>(run: () => Promise<T>): Promise<T> {
  return runInRequestScope(await requestIdOfAction(), run).result;
}

/** What a failure inside the action becomes on the form; rethrows what is not the caller's to see. */
function refusalOf(name: string, error: unknown): ActionState {
  unstable_rethrow(error); // redirect(), notFound() and Next's own control flow
  if (error instanceof ProblemError) {
    const fields = Object.fromEntries((error.errors ?? []).map((item) => [item.path, item.message]));
    return failed(error.message, Object.keys(fields).length ? fields : undefined);
  }
  const unavailable = databaseUnavailableReason(error);
  if (unavailable) {
    logger.warn({ action: name, reason: unavailable }, 'server action: database unavailable');
    return failed('The database is not available right now; nothing was changed. Try again in a few seconds.');
  }
  if (isDataException(error)) {
    logger.warn({ action: name, err: error }, 'server action: the database refused a value the form checks let through');
    return failed('A value in this form is not valid; nothing was changed. Check what you typed and try again.');
  }
  throw error;
}

/**
 * An action that answers its form with an ActionState (useActionState). `params` declares its
 * arguments; a malformed call answers a failed state without running it.
 */
export function stateAction<const P extends Params, S extends ActionState>(name: string, params: P, run: (...args: Args<P>) => Promise<S>): (...args: Args<P>) => Promise<S | ActionState> {
  return (...args: Args<P>) =>
    inRequestScope(async () => {
      const checked = parseArgs(name, params, args);
      if (!checked) return failed('This form was sent incomplete or malformed; nothing was changed. Reload the page and try again.');
      try {
        return await run(...checked);
      } catch (error) {
        return refusalOf(name, error);
      }
    });
}

/**
 * An action a plain form posts (no state: it redirects or revalidates). A malformed call does
 * nothing; failures inside it are refused as stateAction's are, with nothing to show them on.
 */
export function formAction<const P extends Params>(name: string, params: P, run: (...args: Args<P>) => Promise<void>): (...args: Args<P>) => Promise<void> {
  return (...args: Args<P>) =>
    inRequestScope(async () => {
      const checked = parseArgs(name, params, args);
      if (!checked) return;
      try {
        await run(...checked);
      } catch (error) {
        const refusal = refusalOf(name, error);
        logger.warn({ action: name, message: refusal.message }, 'server action refused');
      }
    });
}
