/**
 * The passport page's sign-off cards: the signature as checked on this server and the comments
 * (approvals and rejections: approvals-card.tsx).
 */
import { ActionForm, SubmitButton } from '@/app/_components/action-form';
import { Ago, Fact } from '@/app/_components/status';
import { Badge, Card, Field, inputClass } from '@/app/_components/ui';
import { MAX_COMMENT_LENGTH } from '@/lib/console/comments';
import type { PassportView } from '@/lib/console/passport-detail';
import { commentAction } from './actions';

export function SignatureCard({ view, workspaceSlug }: { view: PassportView; workspaceSlug: string }) {
  return (
    <Card title="Signature" description="Checked on this server against the workspace's published keys.">
      <dl className="space-y-3">
        <Fact label="Signature">
          {view.signature.valid ? <Badge tone="green">valid</Badge> : <Badge tone="red">invalid</Badge>}{' '}
          {view.signature.reason && <span className="text-sm text-red-700 dark:text-red-400">{view.signature.reason}</span>}
        </Fact>
        <Fact label="Signing key">
          <code className="font-mono text-xs">{view.signature.keyId}</code> ({view.signature.keyStatus})
        </Fact>
        <Fact label="Replay">
          {view.replay.match ? (
            <Badge tone="green">same decision, same bytes</Badge>
          ) : (
            <>
              <Badge tone="red">differs</Badge>
              <ul className="mt-1 text-xs">
                {view.replay.differences.slice(0, 5).map((difference) => (
                  <li key={difference.path} className="font-mono">
                    {difference.path}
                  </li>
                ))}
              </ul>
            </>
          )}
        </Fact>
        <Fact label="Verify it yourself, offline">
          <code className="block whitespace-pre-wrap break-all rounded bg-slate-100 p-2 font-mono text-xs dark:bg-slate-800">
            {`rp verify passport-${view.id.slice(0, 12)}….dsse.json \\\n  --key <this runtime>/api/v1/workspaces/${workspaceSlug}/keys`}
          </code>
        </Fact>
      </dl>
    </Card>
  );
}

export function CommentsCard({ view, workspaceSlug, canComment, now }: { view: PassportView; workspaceSlug: string; canComment: boolean; now: Date }) {
  return (
    <Card title={`Comments (${view.comments.length})`}>
      {view.comments.length === 0 ? (
        <p className="mb-4 text-sm text-slate-600 dark:text-slate-400">No comments yet.</p>
      ) : (
        <ol className="mb-4 space-y-4">
          {view.comments.map((comment) => (
            <li key={comment.id} className="rounded-md border border-slate-200 p-3 dark:border-slate-800">
              <p className="text-xs text-slate-500 dark:text-slate-400">
                <span className="font-medium text-slate-700 dark:text-slate-300">{comment.author.name || comment.author.email || 'a former member'}</span> · <Ago value={comment.createdAt} now={now} />
              </p>
              <p className="mt-1 whitespace-pre-wrap text-sm">{comment.body}</p>
            </li>
          ))}
        </ol>
      )}
      {canComment && (
        <ActionForm action={commentAction.bind(null, workspaceSlug, view.id)} resetOnSuccess>
          <Field id="comment-body" label="Add a comment" hint="Visible to everyone in the workspace and kept in the audit log. Secrets you paste are removed." name="body">
            <textarea id="comment-body" name="body" rows={3} required maxLength={MAX_COMMENT_LENGTH} aria-describedby="comment-body-hint comment-body-error" className={inputClass} />
          </Field>
          <SubmitButton pendingLabel="Posting…">Comment</SubmitButton>
        </ActionForm>
      )}
    </Card>
  );
}
