/**
 * Comments on a passport: the discussion of a release decision. A comment is audited with its
 * text (docs/security-model.md: comments remain inspectable in the audit log), so secrets pasted into one are
 * redacted before it is stored, and the writer is told.
 */
import { and, asc, eq } from 'drizzle-orm';
import type { RuntimeDb } from '@/db/runtime';
import { comments, users } from '@/db/schema/runtime';
import { appendAuditEvent } from '@/lib/audit/log';
import { ProblemError } from '@/lib/http/problem';
import { redactText } from '@/lib/evidence/sanitize/patterns';
import { passportScope } from '@/lib/passport/store';
import { authorizeConsole, type ConsoleCaller } from './authorize';

export const MAX_COMMENT_LENGTH = 5000;

export interface CommentView {
  id: string;
  body: string;
  author: { id: string | null; email: string | null; name: string | null };
  createdAt: Date;
}

export async function listComments(db: RuntimeDb, workspaceId: string, passportId: string): Promise<CommentView[]> {
  const rows = await db
    .select({ id: comments.id, body: comments.body, createdAt: comments.createdAt, authorId: comments.authorId, email: users.email, name: users.name })
    .from(comments)
    .leftJoin(users, eq(users.id, comments.authorId))
    .where(and(eq(comments.workspaceId, workspaceId), eq(comments.passportId, passportId)))
    .orderBy(asc(comments.createdAt), asc(comments.id));
  return rows.map((row) => ({ id: row.id, body: row.body, createdAt: row.createdAt, author: { id: row.authorId, email: row.email, name: row.name } }));
}

/** The passport's service and environment slugs (what a permission check names), or a 404. */
export async function addComment(db: RuntimeDb, caller: ConsoleCaller, passportId: string, text: string): Promise<{ id: string; redacted: number }> {
  const scope = await passportScope(db, caller.workspace.id, passportId);
  await authorizeConsole(db, caller, 'comment.write', { action: 'comment.create', resource: { type: 'passport', id: passportId }, ...scope });
  const trimmed = text.trim();
  if (!trimmed) throw new ProblemError('validation-failed', 'Write something first.', { errors: [{ path: 'body', message: 'The comment is empty.' }] });
  if (trimmed.length > MAX_COMMENT_LENGTH) {
    throw new ProblemError('validation-failed', `A comment is at most ${MAX_COMMENT_LENGTH} characters.`, {
      errors: [{ path: 'body', message: `${trimmed.length} characters; at most ${MAX_COMMENT_LENGTH}.` }],
    });
  }
  const { text: body, found } = redactText(trimmed);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(comments)
      .values({ workspaceId: caller.workspace.id, passportId, authorId: caller.actor.userId, body })
      .returning({ id: comments.id });
    await appendAuditEvent(tx, {
      ...caller.audit,
      workspaceId: caller.workspace.id,
      action: 'comment.create',
      resource: { type: 'passport', id: passportId },
      outcome: 'allow',
      details: { commentId: row!.id, service: scope.service, environment: scope.environment, body, ...(found.length ? { redacted: found.map((item) => item.kind) } : {}) },
    });
    return { id: row!.id, redacted: found.length };
  });
}
