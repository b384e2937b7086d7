'use client';

import { useEffect, useRef, type ReactNode } from 'react';

/**
 * A menu on a native <details>: it opens and closes from the keyboard and without JavaScript, and
 * with it also closes the way people expect a menu to: on Escape (focus back on its button), on a
 * click or tap outside, when focus leaves it, and once one of its links is followed (the layout
 * around it stays mounted across client-side navigation, so it would otherwise stay open).
 */
export function DisclosureMenu({ summary, summaryClassName, className, children }: { summary: ReactNode; summaryClassName: string; className?: string; children: ReactNode }) {
  const ref = useRef<HTMLDetailsElement>(null);
  useEffect(() => {
    const details = ref.current;
    if (!details) return;
    const close = (returnFocus: boolean) => {
      if (!details.open) return;
      details.open = false;
      if (returnFocus) details.querySelector('summary')?.focus();
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape' && details.open) close(details.contains(document.activeElement));
    };
    const onPointer = (event: PointerEvent) => {
      if (!details.contains(event.target as Node)) close(false);
    };
    const onFocusOut = (event: FocusEvent) => {
      if (event.relatedTarget instanceof Node && !details.contains(event.relatedTarget)) close(false);
    };
    const onClick = (event: MouseEvent) => {
      if (event.target instanceof Element && event.target.closest('a[href]')) close(false);
    };
    document.addEventListener('keydown', onKey);
    document.addEventListener('pointerdown', onPointer);
    details.addEventListener('focusout', onFocusOut);
    details.addEventListener('click', onClick);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('pointerdown', onPointer);
      details.removeEventListener('focusout', onFocusOut);
      details.removeEventListener('click', onClick);
    };
  }, []);
  return (
    <details ref={ref} className={className ?? 'relative'}>
      <summary className={summaryClassName}>{summary}</summary>
      {children}
    </details>
  );
}
