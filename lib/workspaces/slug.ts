import { WORKSPACE_SLUG_PATTERN as SLUG_PATTERN, workspaceSlugSchema } from '@/lib/domain/primitives';

/** Workspace slugs (lib/domain/primitives.ts); services and environments have a grammar of their own there. */
export { SLUG_PATTERN };
export const slugSchema = workspaceSlugSchema;

export function isSlug(value: string): boolean {
  return SLUG_PATTERN.test(value);
}
