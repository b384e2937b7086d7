import { Fact } from '@/app/_components/status';
import type { PassportRequester } from '@/lib/passport/statement';

const CI_FIELDS: Array<[key: string, label: string]> = [
  ['repository', 'repository'],
  ['ref', 'ref'],
  ['workflow', 'workflow'],
  ['runId', 'run'],
  ['runAttempt', 'attempt'],
  ['environment', 'CI environment'],
  ['issuer', 'issuer'],
];

/** Who asked the gate, as signed into the passport: for a CI run, the claims of its verified ID token. */
export function RequestedBy({ requester, fallback }: { requester: PassportRequester | null; fallback: string | null }) {
  if (!requester) {
    return <Fact label="Requested by">{fallback ? `${fallback} (not signed into this passport)` : 'not recorded'}</Fact>;
  }
  if (requester.type !== 'ci' || !requester.ci) {
    return <Fact label="Requested by">{`${requester.type === 'token' ? 'API token' : 'person'} ${requester.label}`}</Fact>;
  }
  const ci = requester.ci;
  return (
    <Fact label="Requested by (CI identity, verified ID token)">
      <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-0.5 text-xs">
        {CI_FIELDS.filter(([key]) => ci[key]).map(([key, label]) => (
          <div key={key} className="contents">
            <dt className="text-slate-500 dark:text-slate-400">{label}</dt>
            <dd className="break-all font-mono">{ci[key]}</dd>
          </div>
        ))}
      </dl>
    </Fact>
  );
}
