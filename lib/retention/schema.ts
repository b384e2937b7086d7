/** The retention policy's shape (no database code: the API contract and the OpenAPI document use it). */
import { z } from 'zod';

const MAX_DAYS = 36_500;

export const retentionPolicySchema = z
  .object({
    /** Passports, with their decisions and releases; null keeps them. */
    passportsDays: z.number().int().min(1).max(MAX_DAYS).nullable(),
    /** Evidence rows and their stored files; null keeps them. */
    evidenceDays: z.number().int().min(1).max(MAX_DAYS).nullable(),
    /** Audit events (a signed checkpoint replaces what is cut); at least 30 days, so a change cannot erase its own recent trail. */
    auditDays: z.number().int().min(30, 'audit events are kept at least 30 days').max(MAX_DAYS).nullable(),
    /**
     * Deployment periods that ended (replaced or gone) this many days ago; what runs now is never
     * removed. Null keeps them; left out, a change keeps the current value (clients that predate it).
     */
    deploymentsDays: z.number().int().min(1).max(MAX_DAYS).nullable().optional(),
  })
  .strict();
export type RetentionPolicyInput = z.infer<typeof retentionPolicySchema>;
