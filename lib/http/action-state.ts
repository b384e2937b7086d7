/** What every server action returns to its form (app/_components/action-form.tsx). */
export interface ActionState {
  /** null before the first submit. */
  ok: boolean | null;
  message?: string;
  /** Field name → what is wrong with it. */
  fieldErrors?: Record<string, string>;
  /** Something shown once after success (a new API token, an invitation link). */
  secret?: string;
  /** Changes on every success, so a form can reset itself. */
  nonce?: string;
}

export function failed(message: string, fieldErrors?: Record<string, string>): ActionState {
  return { ok: false, message, fieldErrors };
}

export function succeeded(message: string, extra: Omit<ActionState, 'ok' | 'message'> = {}): ActionState {
  return { ok: true, message, nonce: crypto.randomUUID(), ...extra };
}

/** A form's "api, web" list field: distinct items, or null when empty (meaning "no limit"). */
export function listField(value: FormDataEntryValue | null): string[] | null {
  const list = String(value ?? '')
    .split(/[\s,]+/)
    .map((item) => item.trim())
    .filter(Boolean);
  return list.length > 0 ? [...new Set(list)] : null;
}
