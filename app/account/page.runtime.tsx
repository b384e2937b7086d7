import { AppShell } from '@/app/_components/app-shell';
import { ActionForm, SubmitButton } from '@/app/_components/action-form';
import { RowAction } from '@/app/_components/row-action';
import { Alert, Badge, Card, Field, inputClass, PageHeader, Table, Td, Time } from '@/app/_components/ui';
import { requireUser } from '@/lib/auth/guard';
import { listActiveSessions } from '@/lib/auth/sessions';
import { listMemberships } from '@/lib/workspaces/store';
import { revokeSessionAction, setPasswordAction, signOutEverywhereAction, updateProfileAction } from './actions';
import { PASSWORD_HINT } from '@/lib/auth/passwords';

export const metadata = { title: 'Your account' };

const METHODS: Record<string, string> = { local: 'Email and password', link: 'One-time link', oidc: 'Single sign-on', proxy: 'Organization proxy' };

function describeAgent(agent: string | null): string {
  if (!agent) return 'Unknown device';
  const browser = /Firefox\/|Edg\/|Chrome\/|Safari\//.exec(agent)?.[0]?.replace('/', '') ?? 'Browser';
  const system = /Windows|Mac OS X|Linux|Android|iPhone|iPad/.exec(agent)?.[0]?.replace('Mac OS X', 'macOS') ?? '';
  return agent.startsWith('node') || agent.startsWith('curl') ? agent.split(' ')[0]! : `${browser}${system ? ` on ${system}` : ''}`;
}

export default async function Account({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const { db, user, session } = await requireUser('/account');
  const [sessions, memberships, params] = await Promise.all([listActiveSessions(db, user.id), listMemberships(db, user.id), searchParams]);
  const canSetPassword = user.hasPassword || session.method === 'link' || session.method === 'local';

  return (
    <AppShell user={user} workspace={null} memberships={memberships}>
      <PageHeader title="Your account" description="Your profile, your password and where you are signed in." />
      <div className="space-y-6">
        {params.welcome && !user.hasPassword && (
          <Alert tone="info" title="Welcome. Set a password now">
            The link you used works only once. Choose a password below to sign in again later.
          </Alert>
        )}
        <div className="grid gap-6 lg:grid-cols-2">
          <Card title="Profile">
            <ActionForm action={updateProfileAction}>
              <Field id="account-email" label="Email" hint="Your email is your sign-in name.">
                <input id="account-email" value={user.email} readOnly aria-describedby="account-email-hint" className={`${inputClass} bg-slate-50 dark:bg-slate-900`} />
              </Field>
              <Field id="account-name" label="Name">
                <input id="account-name" name="name" defaultValue={user.name} maxLength={200} autoComplete="name" className={inputClass} />
              </Field>
              <SubmitButton>Save profile</SubmitButton>
            </ActionForm>
          </Card>
          <Card title="Password" description={user.hasPassword ? 'Change the password of your local account.' : canSetPassword ? 'Set a password to sign in with your email.' : `You sign in with ${METHODS[session.method] ?? session.method}.`}>
            {canSetPassword ? (
              <ActionForm action={setPasswordAction} resetOnSuccess>
                {user.hasPassword && (
                  <Field id="current-password" label="Current password" name="currentPassword">
                    <input id="current-password" name="currentPassword" type="password" autoComplete="current-password" required aria-describedby="current-password-error" className={inputClass} />
                  </Field>
                )}
                <Field id="new-password" label="New password" hint={PASSWORD_HINT} name="newPassword">
                  <input id="new-password" name="newPassword" type="password" autoComplete="new-password" minLength={12} required aria-describedby="new-password-hint new-password-error" className={inputClass} />
                </Field>
                <Field id="confirm-password" label="New password, again" name="confirmPassword">
                  <input id="confirm-password" name="confirmPassword" type="password" autoComplete="new-password" minLength={12} required aria-describedby="confirm-password-error" className={inputClass} />
                </Field>
                <SubmitButton>{user.hasPassword ? 'Change password' : 'Set password'}</SubmitButton>
              </ActionForm>
            ) : (
              <p className="text-sm text-slate-600 dark:text-slate-400">Your organization manages your sign-in; there is no password to set here.</p>
            )}
          </Card>
        </div>

        <Card
          title="Where you are signed in"
          description="Sessions last 8 hours at most. Signing out everywhere ends them all at once, this one included."
          actions={
            <form action={signOutEverywhereAction}>
              <SubmitButton variant="danger">Sign out everywhere</SubmitButton>
            </form>
          }
        >
          <Table caption="Your active sessions" head={['Device', 'Signed in with', 'Address', 'Started', 'Last active', '']}>
            {sessions.map((s) => (
              <tr key={s.id}>
                <Td>
                  <span className="font-medium">{describeAgent(s.userAgent)}</span> {s.id === session.id && <Badge tone="green">this session</Badge>}
                </Td>
                <Td>{METHODS[s.method] ?? s.method}</Td>
                <Td className="font-mono text-xs">{s.ip ?? '—'}</Td>
                <Td>
                  <Time value={s.createdAt} />
                </Td>
                <Td>
                  <Time value={s.lastSeenAt} />
                </Td>
                <Td className="text-right">
                  <RowAction action={revokeSessionAction} name="sessionId" value={s.id} label="Sign out" target={`the session started ${s.createdAt.toISOString()}`} pendingLabel="Signing out…" />
                </Td>
              </tr>
            ))}
          </Table>
        </Card>
      </div>
    </AppShell>
  );
}
