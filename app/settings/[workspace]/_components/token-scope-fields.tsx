import { FieldError } from '@/app/_components/action-form';
import { Field, inputClass } from '@/app/_components/ui';
import { TOKEN_SCOPES } from '@/lib/tokens/store';

const SCOPE_HELP: Record<(typeof TOKEN_SCOPES)[number], string> = {
  'gate:evaluate': 'ask the gate whether a release may go out',
  'evidence:write': 'upload evidence (SBOM, SARIF, provenance…)',
  'evidence:read': 'read evidence records',
  'passport:read': 'read and download passports',
  'policy:read': 'read policies',
  'catalog:write': 'create, rename and archive services and environments; promotion order; owners (not tiers)',
  'deployment:report': 'report what a deploy put in an environment (the environment board)',
};

/**
 * What a token may do and where: the scopes and the service/environment limits, as both an API
 * token and a CI trust policy grant them. `idPrefix` keeps the ids unique on the page.
 */
export function TokenScopeFields({ idPrefix }: { idPrefix: string }) {
  return (
    <>
      <fieldset aria-describedby={`${idPrefix}-scopes-error`}>
        <legend className="text-sm font-medium text-slate-800 dark:text-slate-200">Scopes</legend>
        <div className="mt-2 grid gap-2 sm:grid-cols-2">
          {TOKEN_SCOPES.map((scope) => (
            <label key={scope} className="flex items-start gap-2 rounded-md border border-slate-200 p-3 text-sm has-[:checked]:border-brand-500 dark:border-slate-700">
              <input type="checkbox" name="scopes" value={scope} defaultChecked={scope === 'gate:evaluate' || scope === 'evidence:write'} className="mt-0.5 h-4 w-4 accent-brand-600" />
              <span>
                <span className="font-mono font-medium">{scope}</span>
                <span className="block text-xs text-slate-500 dark:text-slate-400">{SCOPE_HELP[scope]}</span>
              </span>
            </label>
          ))}
        </div>
        <FieldError name="scopes" id={`${idPrefix}-scopes-error`} />
      </fieldset>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field id={`${idPrefix}-services`} label="Only these services (optional)" hint="Service slugs, separated by commas. Empty: every service." name="services">
          <input id={`${idPrefix}-services`} name="services" placeholder="api, web" aria-describedby={`${idPrefix}-services-hint ${idPrefix}-services-error`} className={`${inputClass} font-mono`} />
        </Field>
        <Field id={`${idPrefix}-environments`} label="Only these environments (optional)" hint="Environment slugs. Empty: every environment." name="environments">
          <input id={`${idPrefix}-environments`} name="environments" placeholder="staging" aria-describedby={`${idPrefix}-environments-hint ${idPrefix}-environments-error`} className={`${inputClass} font-mono`} />
        </Field>
      </div>
    </>
  );
}

/** How a token's or policy's grant reads in a table row. */
export function describeLimits(grant: { services: string[] | null; environments: string[] | null }): string {
  return `${grant.services ? `services: ${grant.services.join(', ')}` : 'all services'} · ${grant.environments ? `environments: ${grant.environments.join(', ')}` : 'all environments'}`;
}
