import { Alert } from '@/app/_components/ui';

/** Where a first password lands you (app/account/actions.ts): said once, on arrival. */
export function PasswordSavedNotice() {
  return (
    <div className="mb-4">
      <Alert tone="success" title="Your password was saved">
        Sign in with your email and this password from now on.
      </Alert>
    </div>
  );
}
