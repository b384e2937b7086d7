/** Rules about the release process: change freezes and approvals. */
import { z } from 'zod';
import { roleAtLeast, roleSchema, type Role } from '@/lib/domain/primitives';
import { defineRule, type RuleOutcome } from './types';
import { plural } from '@/lib/text/plural';

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const CLOCK = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'a time of day, "HH:MM" (24:00 for the end of the day)');

const absoluteWindow = z
  .object({ start: z.iso.datetime({ offset: true }), end: z.iso.datetime({ offset: true }), reason: z.string().min(1).max(200) })
  .strict()
  .refine((window) => Date.parse(window.start) < Date.parse(window.end), 'a freeze window must end after it starts');

const weeklyWindow = z
  .object({
    days: z.array(z.enum(DAYS)).min(1),
    from: CLOCK,
    to: CLOCK,
    /** IANA time zone the days and times are in. */
    timezone: z
      .string()
      .default('UTC')
      .refine((zone) => {
        try {
          new Intl.DateTimeFormat('en-US', { timeZone: zone });
          return true;
        } catch {
          return false;
        }
      }, 'an IANA time zone such as "UTC" or "Europe/Berlin"'),
    reason: z.string().min(1).max(200),
  })
  .strict();

/** Weekday and minutes since midnight of `instant` in `timeZone`. */
function localTime(instant: Date, timeZone: string): { day: (typeof DAYS)[number]; minutes: number } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(instant);
  const get = (type: string) => parts.find((part) => part.type === type)?.value ?? '';
  return { day: get('weekday').slice(0, 3).toLowerCase() as (typeof DAYS)[number], minutes: Number(get('hour')) * 60 + Number(get('minute')) };
}

function minutesOf(clock: string): number {
  const [hours, minutes] = clock.split(':').map(Number) as [number, number];
  return hours * 60 + minutes;
}

export const changeFreeze = defineRule({
  type: 'change-freeze',
  title: 'No release during a change freeze',
  params: {
    windows: z.array(absoluteWindow).max(200).default([]).describe('Dated freezes: start and end (ISO 8601 with a UTC offset) and the reason.'),
    weekly: z.array(weeklyWindow).max(50).default([]).describe('Weekly freezes: days (sun to sat), from and to (HH:MM), timezone (IANA, UTC when absent) and the reason.'),
  },
  evaluate(rule, { evaluatedAt }): RuleOutcome {
    const now = new Date(evaluatedAt);
    const threshold = { windows: rule.windows.length, weekly: rule.weekly.length };
    for (const window of rule.windows) {
      if (Date.parse(window.start) <= now.getTime() && now.getTime() < Date.parse(window.end)) {
        return {
          status: 'fail',
          message: `change freeze until ${new Date(window.end).toISOString()}: ${window.reason}`,
          measured: { evaluatedAt, window: { start: window.start, end: window.end, reason: window.reason } },
          threshold,
          evidence: [],
        };
      }
    }
    for (const window of rule.weekly) {
      const { day, minutes } = localTime(now, window.timezone);
      const from = minutesOf(window.from);
      const to = minutesOf(window.to);
      // A window like fri 18:00 → 06:00 wraps past midnight into the next day.
      const inside = from <= to ? window.days.includes(day) && minutes >= from && minutes < to : (window.days.includes(day) && minutes >= from) || (window.days.includes(DAYS[(DAYS.indexOf(day) + 6) % 7]!) && minutes < to);
      if (inside) {
        return {
          status: 'fail',
          message: `weekly change freeze (${window.days.join(', ')} ${window.from}–${window.to} ${window.timezone}): ${window.reason}`,
          measured: { evaluatedAt, window: { days: window.days, from: window.from, to: window.to, timezone: window.timezone, reason: window.reason } },
          threshold,
          evidence: [],
        };
      }
    }
    return { status: 'pass', message: 'no change freeze in effect', measured: { evaluatedAt }, threshold, evidence: [] };
  },
});

/** How much of a rejection's note the rule's message quotes (the whole note is in the passport). */
const QUOTED_NOTE_CHARS = 200;

export interface ApprovalCounting {
  role: Role;
  forbidRequesterApproval?: boolean;
}

/**
 * The distinct people whose approval an approvals rule counts: at least its role, and not the
 * person who asked for the release when the rule forbids it. The console counts with it too.
 */
export function countedApprovers(rule: ApprovalCounting, approvals: ReadonlyArray<{ approver: string; role: Role }>, requestingPerson: string | null | undefined): string[] {
  const byRequester = (approver: string) => Boolean(rule.forbidRequesterApproval && requestingPerson && approver === requestingPerson);
  return [...new Set(approvals.filter((approval) => roleAtLeast(approval.role, rule.role) && !byRequester(approval.approver)).map((approval) => approval.approver))];
}

/** The rejections an approvals rule weighs: from people whose approval it would count by role. */
export function countedRejections<T extends { role: Role }>(rule: ApprovalCounting, rejections: readonly T[] | undefined): T[] {
  return (rejections ?? []).filter((rejection) => roleAtLeast(rejection.role, rule.role));
}

function quote(note: string): string {
  return note.length > QUOTED_NOTE_CHARS ? `${note.slice(0, QUOTED_NOTE_CHARS)}…` : note;
}

export const approvalsRequired = defineRule({
  type: 'approvals',
  title: 'Approved by enough people in a role',
  params: {
    count: z.number().int().min(1).max(20).describe('How many different people must approve the release.'),
    role: roleSchema.default('maintainer').describe('Approvals (and rejections) count from people with at least this role.'),
    forbidRequesterApproval: z
      .boolean()
      .default(false)
      .describe('The person who asked the gate for the release may not approve it: their approval is refused and not counted. A release a CI token or run asked for names no person.'),
  },
  evaluate(rule, { inputs }): RuleOutcome {
    const qualifying = countedApprovers(rule, inputs.approvals, inputs.requestingPerson);
    const rejections = countedRejections(rule, inputs.rejections);
    const requesterNotCounted = qualifying.length < countedApprovers({ role: rule.role }, inputs.approvals, null).length;
    // Keys appear only when they apply, so passports judged before rejections existed replay byte for byte.
    const threshold = { count: rule.count, role: rule.role, ...(rule.forbidRequesterApproval ? { forbidRequesterApproval: true } : {}) };
    const measured = { approvals: qualifying.length, ...(rejections.length ? { rejections: rejections.length } : {}), ...(requesterNotCounted ? { requesterApprovalNotCounted: true } : {}) };
    if (rejections.length > 0) {
      // A rejection outweighs any number of approvals until its author withdraws it or approves.
      const latest = rejections[rejections.length - 1]!;
      const others = rejections.length > 1 ? ` (and ${plural(rejections.length - 1, 'other rejection')})` : '';
      return { status: 'fail', message: `rejected by ${latest.name} (${latest.role}): ${quote(latest.note)}${others}`, measured, threshold, evidence: [] };
    }
    if (qualifying.length < rule.count) {
      const unCounted = requesterNotCounted ? ' (the approval of the person who requested the release does not count)' : '';
      return {
        status: 'fail',
        message: `${plural(qualifying.length, 'approval')} from a ${rule.role} or above${unCounted}; ${rule.count} required`,
        measured,
        threshold,
        evidence: [],
      };
    }
    return { status: 'pass', message: `approved by ${plural(qualifying.length, `${rule.role} or above`)}`, measured, threshold, evidence: [] };
  },
});
