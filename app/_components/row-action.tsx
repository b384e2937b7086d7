import type { ActionState } from '@/lib/http/action-state';
import { ActionForm, SubmitButton } from './action-form';
import type { ButtonVariant } from './styles';

/**
 * A one-button action on a table row (remove, revoke, withdraw): posts `name=value` to the server
 * action, and tells screen-reader users which row the button acts on.
 */
export function RowAction({
  action,
  name,
  value,
  label,
  target,
  variant = 'ghost',
  pendingLabel,
}: {
  action: (state: ActionState, formData: FormData) => Promise<ActionState>;
  name: string;
  value: string;
  label: string;
  /** What the button acts on, read after the label: "Remove dev@example.com". */
  target: string;
  variant?: ButtonVariant;
  pendingLabel?: string;
}) {
  return (
    <ActionForm action={action} inline>
      <input type="hidden" name={name} value={value} />
      <SubmitButton variant={variant} className="py-1" pendingLabel={pendingLabel}>
        {label}
        <span className="sr-only"> {target}</span>
      </SubmitButton>
    </ActionForm>
  );
}
