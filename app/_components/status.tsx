/**
 * How the console shows a decision, a mode, a rule's status and evidence freshness: the same
 * words and colours on every page, and never colour alone (each badge says what it means).
 */
import type { ReactNode } from 'react';
import { describeValue } from '@/lib/console/values';
import { Badge } from './ui';

type Tone = 'neutral' | 'brand' | 'green' | 'amber' | 'red';

export function DecisionBadge({ decision, blocking }: { decision: string; blocking?: boolean }) {
  if (decision === 'deny') return <Badge tone="red">{blocking ? 'blocked' : 'denied'}</Badge>;
  if (decision === 'warn') return <Badge tone="amber">warned</Badge>;
  return <Badge tone="green">allowed</Badge>;
}

export function ModeBadge({ mode }: { mode: string }) {
  const tone: Tone = mode === 'enforce' ? 'brand' : 'neutral';
  return <Badge tone={tone}>{mode}</Badge>;
}

const STATUS_TONE: Record<string, Tone> = { pass: 'green', warn: 'amber', fail: 'red', missing: 'red', stale: 'amber' };

export function RuleStatusBadge({ status }: { status: string }) {
  return <Badge tone={STATUS_TONE[status] ?? 'neutral'}>{status}</Badge>;
}

export function FreshnessBadge({ freshness }: { freshness: 'fresh' | 'ageing' | 'stale' }) {
  return <Badge tone={freshness === 'fresh' ? 'green' : freshness === 'ageing' ? 'amber' : 'red'}>{freshness}</Badge>;
}

/** A digest shortened for reading, whole on hover and for screen readers and copy. */
export function Digest({ value, length = 12 }: { value: string; length?: number }) {
  const [algorithm, hex] = value.includes(':') ? (value.split(':', 2) as [string, string]) : ['', value];
  return (
    <code className="font-mono text-xs" title={value}>
      {algorithm ? `${algorithm}:` : ''}
      {hex.slice(0, length)}
      <span aria-hidden="true">…</span>
      <span className="sr-only">{hex.slice(length)}</span>
    </code>
  );
}

/** A JSON value (a rule's measured value or threshold) in one compact line. */
export function JsonValue({ value }: { value: unknown }) {
  if (value === null || value === undefined) return <span className="text-slate-500 dark:text-slate-400">—</span>;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return <code className="break-all font-mono text-xs">{text.length > 300 ? `${text.slice(0, 300)}…` : text}</code>;
}

/** A rule's measured value or threshold in words, one entry a line (lib/console/values.ts). */
export function ValueInWords({ value }: { value: unknown }) {
  const lines = describeValue(value);
  if (lines.length === 0) return <span className="text-slate-500 dark:text-slate-400">—</span>;
  return (
    // wrap-anywhere: a digest or URL in a threshold may break, so a table of them fits its card.
    <ul className="min-w-32 space-y-0.5 text-xs wrap-anywhere">
      {lines.map((line, index) => (
        <li key={index}>{line}</li>
      ))}
    </ul>
  );
}

/** "3 h ago" beside the exact UTC time (on hover and for machines). */
export function Ago({ value, now = new Date() }: { value: Date | string; now?: Date }) {
  const date = typeof value === 'string' ? new Date(value) : value;
  const minutes = Math.round((now.getTime() - date.getTime()) / 60_000);
  const text = minutes < 1 ? 'just now' : minutes < 60 ? `${minutes} min ago` : minutes < 48 * 60 ? `${Math.round(minutes / 60)} h ago` : `${Math.round(minutes / 1440)} d ago`;
  return (
    <time dateTime={date.toISOString()} title={date.toISOString()}>
      {text}
    </time>
  );
}

/** A label and its value in a definition list. */
export function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs font-medium uppercase tracking-wide text-slate-500 dark:text-slate-400">{label}</dt>
      <dd className="mt-1 break-words text-sm">{children}</dd>
    </div>
  );
}

/** A decision with the mode it was applied in, as every list shows it. */
export function DecisionAndMode({ decision, mode, blocking }: { decision: string; mode: string; blocking?: boolean }) {
  return (
    <span className="flex flex-wrap gap-1">
      <DecisionBadge decision={decision} blocking={blocking} />
      <ModeBadge mode={mode} />
    </span>
  );
}

/** An environment's name, with a "production" badge when it is one and its name does not say so already. */
export function EnvironmentName({ name, production }: { name: string; production: boolean }) {
  return (
    <span className="inline-flex flex-wrap items-center gap-1">
      {name}
      {production && name !== 'production' && <Badge tone="amber">production</Badge>}
    </span>
  );
}
