import Link from '@/app/_components/link';
import { EmptyState } from '@/app/_components/ui';

/** A passport, policy or page of a workspace the person belongs to that does not exist (non-members get the app's 404). */
export default function WorkspaceNotFound() {
  return (
    <EmptyState title="Not found in this workspace">
      <p>The passport or policy may have been removed by retention, or the link is mistyped.</p>
      <p className="mt-3">
        <Link className="font-medium text-brand-700 underline dark:text-brand-100" href="/console">
          Back to your workspaces
        </Link>
      </p>
    </EmptyState>
  );
}
