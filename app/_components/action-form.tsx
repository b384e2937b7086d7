'use client';
/**
 * A form bound to a server action with useActionState: the action's message (success or error)
 * is announced to screen readers, field errors land next to their fields (FieldError), a secret
 * the action returns is shown once (a new token, an invitation link), and the submit button says
 * it is working while the action runs. Server pages pass only data and server actions here.
 */
import { createContext, useActionState, useContext, type ReactNode } from 'react';
import { useFormStatus } from 'react-dom';
import type { ActionState } from '@/lib/http/action-state';
import { ShownOnce } from './copy-button';
import { buttonClass, cx, type ButtonVariant } from './styles';

const StateContext = createContext<ActionState>({ ok: null });

export function SubmitButton({ children, variant = 'primary', pendingLabel, className }: { children: ReactNode; variant?: ButtonVariant; pendingLabel?: string; className?: string }) {
  const { pending } = useFormStatus();
  return (
    <button type="submit" disabled={pending} aria-disabled={pending} className={buttonClass(variant, className)}>
      {pending ? (pendingLabel ?? 'Working…') : children}
    </button>
  );
}

/** The error the last submit reported for one field (rendered by Field when given `name`). */
export function FieldError({ name, id }: { name: string; id: string }) {
  const message = useContext(StateContext).fieldErrors?.[name];
  return (
    <p id={id} aria-live="polite" className="text-xs font-medium text-red-700 empty:hidden dark:text-red-400">
      {message}
    </p>
  );
}

export function ActionForm({
  action,
  children,
  className,
  resetOnSuccess = false,
  secret,
  inline = false,
}: {
  action: (state: ActionState, formData: FormData) => Promise<ActionState>;
  children: ReactNode;
  className?: string;
  resetOnSuccess?: boolean;
  /** How to present a secret the action returns (shown once). */
  secret?: { label: string; note: string };
  /** A one-button form inside a table row: messages shown compactly beside it. */
  inline?: boolean;
}) {
  const [state, formAction] = useActionState(action, { ok: null });
  const message = state.message && (
    <p
      role={state.ok === false ? 'alert' : 'status'}
      className={cx(
        inline ? 'text-xs' : 'rounded-md border px-3 py-2 text-sm',
        state.ok === false
          ? inline
            ? 'text-red-700 dark:text-red-400'
            : 'border-red-200 bg-red-50 text-red-800 dark:border-red-900 dark:bg-red-950 dark:text-red-200'
          : inline
            ? 'text-emerald-700 dark:text-emerald-400'
            : 'border-emerald-200 bg-emerald-50 text-emerald-800 dark:border-emerald-900 dark:bg-emerald-950 dark:text-emerald-200',
      )}
    >
      {state.message}
    </p>
  );
  return (
    <StateContext.Provider value={state}>
      {!inline && (
        <div aria-live="polite" className="mb-4 space-y-4 empty:hidden">
          {message}
          {state.ok === true && state.secret && secret && <ShownOnce label={secret.label} value={state.secret} note={secret.note} />}
        </div>
      )}
      <form action={formAction} className={cx(inline ? 'flex flex-wrap items-center gap-2' : 'space-y-4', className)} key={resetOnSuccess && state.ok ? state.nonce : undefined}>
        {children}
        {inline && <span aria-live="polite">{message}</span>}
      </form>
      {/* A secret from an inline form (a row's action) goes under it, whole, not squeezed into the row. */}
      {inline && state.ok === true && state.secret && secret && (
        <div className="mt-2">
          <ShownOnce label={secret.label} value={state.secret} note={secret.note} />
        </div>
      )}
    </StateContext.Provider>
  );
}
