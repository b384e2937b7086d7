/** Rules about the release process: change freezes and approvals. */
import { z } from 'zod';
import { roleAtLeast, roleSchema } from '@/lib/domain/primitives';
import { defineRule, plural, type RuleOutcome } from './types';

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

export const approvalsRequired = defineRule({
  type: 'approvals',
  title: 'Approved by enough people in a role',
  params: {
    count: z.number().int().min(1).max(20).describe('How many different people must approve the release.'),
    role: roleSchema.default('maintainer').describe('Approvals count from people with at least this role.'),
  },
  evaluate(rule, { inputs }): RuleOutcome {
    const qualifying = [...new Set(inputs.approvals.filter((approval) => roleAtLeast(approval.role, rule.role)).map((approval) => approval.approver))];
    const threshold = { count: rule.count, role: rule.role };
    const measured = { approvals: qualifying.length };
    if (qualifying.length < rule.count) {
      return {
        status: 'fail',
        message: `${plural(qualifying.length, 'approval')} from a ${rule.role} or above; ${rule.count} required`,
        measured,
        threshold,
        evidence: [],
      };
    }
    return { status: 'pass', message: `approved by ${plural(qualifying.length, `${rule.role} or above`)}`, measured, threshold, evidence: [] };
  },
});
