import { z } from 'zod';

/** Workspace, service and environment slugs: lowercase letters, digits and inner hyphens, 1-63 characters. */
export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export const slugSchema = z
  .string()
  .trim()
  .regex(SLUG_PATTERN, 'use 1-63 lowercase letters, digits and hyphens, starting and ending with a letter or digit');

export function isSlug(value: string): boolean {
  return SLUG_PATTERN.test(value);
}
