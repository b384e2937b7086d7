import { Field, describedBy, inputClass } from '@/app/_components/ui';
import { DEFAULT_BASE_URLS, scopeYaml } from '@/lib/connectors/form';
import type { ConnectorView } from '@/lib/connectors/handlers';
import { CONNECTOR_KINDS } from '@/lib/connectors/kinds';
import { CONNECTOR_TYPES } from '@/lib/connectors/types';

/** The fields of a connector, for the new-connector form and each connector's edit form. */
export type Environment = { slug: string; name: string; production: boolean };

export function ConnectorFields({ prefix, environments, connector }: { prefix: string; environments: Environment[]; connector?: ConnectorView }) {
  const config = connector?.config ?? {};
  const id = (name: string) => `${prefix}-${name}`;
  return (
    <>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field id={id('name')} label="Name" name="name" hint="Policy rules name the connector by it.">
          <input id={id('name')} name="name" required defaultValue={connector?.name} readOnly={Boolean(connector)} placeholder="prometheus-prod" aria-describedby={describedBy(id('name'))} className={`${inputClass} font-mono`} />
        </Field>
        <Field id={id('type')} label="Type" name="type">
          {connector ? (
            <>
              <input type="hidden" name="type" value={connector.type} />
              <input id={id('type')} value={connector.label} readOnly className={inputClass} />
            </>
          ) : (
            <select id={id('type')} name="type" required defaultValue="" aria-describedby={describedBy(id('type'), { hint: false })} className={inputClass}>
              <option value="" disabled>
                Choose…
              </option>
              {CONNECTOR_TYPES.map((type) => (
                <option key={type} value={type}>
                  {CONNECTOR_KINDS[type].label} ({CONNECTOR_KINDS[type].category})
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field id={id('environment')} label="Serves" name="environment" hint="Its credential is read as this environment's flow; gate evaluations of other environments do not use it.">
          <select id={id('environment')} name="environment" defaultValue={connector?.environment ?? ''} aria-describedby={describedBy(id('environment'))} className={inputClass}>
            <option value="">every environment (credential under store:shared/…)</option>
            {environments.map((environment) => (
              <option key={environment.slug} value={environment.slug}>
                {environment.name} ({environment.slug}){environment.production ? ' · production' : ''}
              </option>
            ))}
          </select>
        </Field>
        <Field id={id('secretRef')} label="Credential (secret reference)" name="secretRef" hint="Store the token under Secrets first; never paste the token here.">
          <input id={id('secretRef')} name="secretRef" defaultValue={connector?.secret?.reference ?? ''} placeholder="store:production/prometheus-token" aria-describedby={describedBy(id('secretRef'))} className={`${inputClass} font-mono`} />
        </Field>
        <Field id={id('baseUrl')} label="Base URL" name="baseUrl" hint={`Empty uses the public API where there is one (${Object.entries(DEFAULT_BASE_URLS).map(([type, url]) => `${type}: ${url}`).join(', ')}).`}>
          <input id={id('baseUrl')} name="baseUrl" type="url" defaultValue={typeof config.baseUrl === 'string' ? config.baseUrl : ''} placeholder="https://prometheus.internal:9090" aria-describedby={describedBy(id('baseUrl'))} className={`${inputClass} font-mono`} />
        </Field>
        {connector && (
          <Field id={id('enabled')} label="Polling" name="enabled">
            <select id={id('enabled')} name="enabled" defaultValue={connector.enabled ? 'yes' : 'no'} className={inputClass}>
              <option value="yes">enabled</option>
              <option value="no">disabled</option>
            </select>
          </Field>
        )}
      </div>
      <Field id={id('scope')} label="Scope (YAML)" name="scope" hint="Exactly what it may read; anything else is refused before a request is sent.">
        <textarea
          id={id('scope')}
          name="scope"
          rows={5}
          required
          defaultValue={connector ? scopeYaml(connector.config) : ''}
          spellCheck={false}
          aria-describedby={describedBy(id('scope'))}
          className={`${inputClass} font-mono`}
        />
      </Field>
      <details className="rounded-md border border-slate-200 p-3 text-sm dark:border-slate-700">
        <summary className="cursor-pointer font-medium">Timeouts and polling</summary>
        <div className="mt-3 grid gap-4 sm:grid-cols-3">
          {(
            [
              ['timeoutMs', 'Timeout (ms)', 10_000],
              ['retries', 'Retries', 2],
              ['pollIntervalSeconds', 'Poll every (s)', 300],
            ] as const
          ).map(([name, label, fallback]) => (
            <Field key={name} id={id(name)} label={label} name={name}>
              <input id={id(name)} name={name} type="number" min={0} defaultValue={typeof config[name] === 'number' ? String(config[name]) : ''} placeholder={String(fallback)} className={inputClass} />
            </Field>
          ))}
        </div>
      </details>
    </>
  );
}
