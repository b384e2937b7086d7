import Link from '@/app/_components/link';
import { ActionForm, SubmitButton } from '@/app/_components/action-form';
import { RowAction } from '@/app/_components/row-action';
import { Badge, Card, EmptyState, Field, inputClass, PageHeader, Table, Td, Time } from '@/app/_components/ui';
import { requireMember } from '@/lib/auth/guard';
import { listApiTokens, MAX_TOKEN_LIFETIME_DAYS } from '@/lib/tokens/store';
import { describeLimits, TokenScopeFields } from '../_components/token-scope-fields';
import { createTokenAction, revokeTokenAction } from './actions';

export const metadata = { title: 'API tokens' };

const EXPIRY_CHOICES = [7, 30, 90, 180, MAX_TOKEN_LIFETIME_DAYS - 1];

function status(token: { revokedAt: Date | null; expiresAt: Date }, now: Date) {
  if (token.revokedAt) return <Badge tone="red">revoked</Badge>;
  if (token.expiresAt <= now) return <Badge tone="amber">expired</Badge>;
  return <Badge tone="green">active</Badge>;
}

export default async function Tokens({ params }: { params: Promise<{ workspace: string }> }) {
  const { workspace: slug } = await params;
  const { db, workspace } = await requireMember(slug, 'token.manage', `/settings/${slug}/tokens`);
  const tokens = await listApiTokens(db, workspace.id);
  const now = new Date();

  return (
    <div className="space-y-6">
      <PageHeader
        title="API tokens"
        description={
          <>
            Tokens let CI pipelines call the gate. Give each pipeline its own, with only the scopes it needs; every use is recorded. Pipelines on GitHub Actions or GitLab CI need no stored token:
            see <Link href={`/settings/${slug}/ci-identities`}>CI identities</Link>.
          </>
        }
      />
      <Card title="New token">
        <ActionForm
          action={createTokenAction.bind(null, slug)}
          resetOnSuccess
          secret={{ label: 'Your new API token', note: 'Copy it now into your CI’s secret store: it is shown only once and cannot be recovered. Only its hash is kept.' }}
        >
            <div className="grid gap-4 sm:grid-cols-2">
              <Field id="token-name" label="Name" hint="Where it is used, e.g. “github-actions api deploy”." name="name">
                <input id="token-name" name="name" required maxLength={100} aria-describedby="token-name-hint token-name-error" className={inputClass} />
              </Field>
              <Field id="token-expiry" label="Expires after" name="expiresAt">
                <select id="token-expiry" name="expiresInDays" defaultValue="90" className={inputClass}>
                  {EXPIRY_CHOICES.map((days) => (
                    <option key={days} value={days}>
                      {days} days
                    </option>
                  ))}
                </select>
              </Field>
            </div>
            <TokenScopeFields idPrefix="token" />
            <details className="rounded-md border border-slate-200 p-3 dark:border-slate-700">
              <summary className="cursor-pointer text-sm font-medium">Bind to a DPoP key (optional)</summary>
              <div className="mt-3">
                <Field id="token-dpop" label="JWK thumbprint (RFC 7638, SHA-256)" hint="The token then only works with a DPoP proof signed by that key (RFC 9449)." name="dpopJkt">
                  <input id="token-dpop" name="dpopJkt" aria-describedby="token-dpop-hint token-dpop-error" className={`${inputClass} font-mono`} />
                </Field>
              </div>
            </details>
            <SubmitButton>Create token</SubmitButton>
        </ActionForm>
      </Card>

      <Card title="Tokens">
        {tokens.length === 0 ? (
          <EmptyState title="No API tokens yet">Create one above for your first pipeline.</EmptyState>
        ) : (
          <Table caption={`API tokens of ${workspace.name}`} head={['Token', 'Scopes and limits', 'Expires', 'Last used', 'Status', '']}>
            {tokens.map((token) => (
              <tr key={token.id}>
                <Td>
                  <span className="font-medium">{token.name}</span>
                  <span className="block font-mono text-xs text-slate-500 dark:text-slate-400">{token.prefix}…</span>
                </Td>
                <Td>
                  <span className="flex flex-wrap gap-1">
                    {token.scopes.map((scope) => (
                      <Badge key={scope} tone="brand">
                        {scope}
                      </Badge>
                    ))}
                    {token.dpopJkt && <Badge tone="green">DPoP</Badge>}
                  </span>
                  <span className="mt-1 block text-xs text-slate-500 dark:text-slate-400">
                    {describeLimits(token)}
                  </span>
                </Td>
                <Td>
                  <Time value={token.expiresAt} />
                </Td>
                <Td>
                  <Time value={token.lastUsedAt} fallback="never" />
                  {token.lastUsedIp && <span className="block font-mono text-xs text-slate-500 dark:text-slate-400">{token.lastUsedIp}</span>}
                </Td>
                <Td>{status(token, now)}</Td>
                <Td>
                  {!token.revokedAt && (
                    <RowAction action={revokeTokenAction.bind(null, slug)} name="tokenId" value={token.id} label="Revoke" target={token.name} variant="danger" pendingLabel="Revoking…" />
                  )}
                </Td>
              </tr>
            ))}
          </Table>
        )}
      </Card>
    </div>
  );
}
