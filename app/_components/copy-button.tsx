'use client';
import { useState } from 'react';
import { buttonClass } from './styles';

/** Copies a value (a token shown once, a link) and says so to screen readers. */
export function CopyButton({ value, label = 'Copy' }: { value: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className={buttonClass('secondary', 'shrink-0')}
      onClick={() => {
        void navigator.clipboard?.writeText(value).then(() => {
          setCopied(true);
          setTimeout(() => setCopied(false), 2000);
        });
      }}
    >
      <span aria-live="polite">{copied ? 'Copied' : label}</span>
    </button>
  );
}

/** A secret in a read-only box with a copy button, and the reminder that it is shown once. */
export function ShownOnce({ label, value, note }: { label: string; value: string; note: string }) {
  return (
    <div className="space-y-2 rounded-md border border-amber-200 bg-amber-50 p-4 dark:border-amber-900 dark:bg-amber-950">
      <p className="text-sm font-medium text-amber-900 dark:text-amber-200">{label}</p>
      <div className="flex items-center gap-2">
        <input
          readOnly
          value={value}
          aria-label={label}
          onFocus={(event) => event.currentTarget.select()}
          className="block w-full rounded-md border border-amber-300 bg-white px-3 py-2 font-mono text-sm dark:border-amber-800 dark:bg-slate-950"
        />
        <CopyButton value={value} />
      </div>
      <p className="text-xs text-amber-800 dark:text-amber-300">{note}</p>
    </div>
  );
}
