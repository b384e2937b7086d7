import type { PolicyEditState } from '@/app/console/[workspace]/policies/actions';
import { plural } from '@/lib/text/plural';

/** What the edited rules would have decided on the policy's past decisions, judged as enforced before anything is saved. */
export function ImpactPreview({ preview }: { preview: NonNullable<PolicyEditState['preview']> }) {
  return (
    <section aria-label="Impact preview" className="rounded-md border border-brand-100 bg-brand-50 p-4 text-sm dark:border-brand-900 dark:bg-brand-900/30">
      {preview.judged === 0 ? (
        <p>This policy has judged no release yet: there is nothing to compare against.</p>
      ) : (
        <>
          <p className="font-medium">
            Enforced, these rules would have blocked {preview.wouldDeny} of the last {plural(preview.judged, 'decision')} ({preview.releasesDenied} of {plural(preview.releases, 'release')})
            {preview.since ? ` since ${new Date(preview.since).toISOString().slice(0, 10)}` : ''}.
          </p>
          <p className="mt-1">
            Deny {preview.wouldDeny} · warn {preview.wouldWarn} · allow {preview.wouldAllow}. {plural(preview.changed, 'decision')} would differ from what was recorded.
          </p>
          {preview.examples.length > 0 && (
            <ul className="mt-2 space-y-1">
              {preview.examples.slice(0, 8).map((example, index) => (
                <li key={`${example.passportId}-${index}`}>
                  <span className="font-medium">
                    {example.service} · {example.environment}
                  </span>
                  : {example.recorded} → {example.candidate}
                  {example.reasons[0] && <span className="text-slate-600 dark:text-slate-300"> ({example.reasons[0]})</span>}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
