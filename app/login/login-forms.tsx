'use client';
import { useActionState, useSyncExternalStore } from 'react';
import { SubmitButton } from '@/app/_components/action-form';
import { Field, inputClass } from '@/app/_components/ui';
import type { ActionState } from '@/lib/http/action-state';

export function PasswordForm({ action, callbackUrl }: { action: (state: ActionState, form: FormData) => Promise<ActionState>; callbackUrl: string }) {
  const [state, formAction] = useActionState(action, { ok: null });
  const invalid = state.ok === false;
  return (
    <form action={formAction} className="space-y-4" aria-describedby={invalid ? 'password-form-error' : undefined}>
      <input type="hidden" name="callbackUrl" value={callbackUrl} />
      {invalid && (
        <p id="password-form-error" role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800 dark:border-red-900 dark:bg-red-950 dark:text-red-200">
          {state.message}
        </p>
      )}
      <Field id="email" label="Email">
        <input id="email" name="email" type="email" autoComplete="username" required aria-invalid={invalid} className={inputClass} />
      </Field>
      <Field id="password" label="Password">
        <input id="password" name="password" type="password" autoComplete="current-password" required aria-invalid={invalid} className={inputClass} />
      </Field>
      <SubmitButton className="w-full" pendingLabel="Signing in…">
        Sign in
      </SubmitButton>
    </form>
  );
}

const subscribeToHash = (onChange: () => void) => {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
};

/** The one-time link carries its secret in the URL fragment (never sent to servers or logs). */
export function LinkForm({ action }: { action: (state: ActionState, form: FormData) => Promise<ActionState> }) {
  const [state, formAction] = useActionState(action, { ok: null });
  const token = useSyncExternalStore(subscribeToHash, () => window.location.hash.slice(1), () => '');
  return (
    <form action={formAction} className="space-y-4">
      <input type="hidden" name="token" value={token} />
      {state.ok === false && (
        <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800 dark:border-red-900 dark:bg-red-950 dark:text-red-200">
          {state.message}
        </p>
      )}
      {token ? (
        <SubmitButton className="w-full" pendingLabel="Signing in…">
          Sign in and continue
        </SubmitButton>
      ) : (
        <p className="text-sm text-slate-600 dark:text-slate-400">This page needs the whole link printed by the server, including the part after “#”.</p>
      )}
    </form>
  );
}
