import { ActionForm, SubmitButton } from '@/app/_components/action-form';
import { RowAction } from '@/app/_components/row-action';
import { Badge, Card, Field, inputClass, PageHeader, Table, Td, Time } from '@/app/_components/ui';
import { ROLES } from '@/lib/access/verbs';
import { requireMember } from '@/lib/auth/guard';
import { listPendingInvitations } from '@/lib/workspaces/invitations';
import { listMembers } from '@/lib/workspaces/members';
import { seatUsage } from '@/lib/workspaces/seats';
import { changeRoleAction, inviteAction, removeMemberAction, revokeInvitationAction, setAccountDisabledAction, signInLinkAction } from './actions';

export const metadata = { title: 'Members' };

const ROLE_HELP: Record<string, string> = {
  viewer: 'reads passports, evidence, policies',
  developer: 'also uploads evidence and asks the gate',
  maintainer: 'also edits policies, connectors, API tokens; reads the audit log',
  admin: 'also manages members and secrets',
};

/** A one-time sign-in link for a locked-out member, shown once. */
function SignInLinkButton({ slug, userId, email }: { slug: string; userId: string; email: string }) {
  return (
    <ActionForm action={signInLinkAction.bind(null, slug)} inline secret={{ label: `Sign-in link for ${email}`, note: 'Copy it now and send it to them: it is not shown again.' }}>
      <input type="hidden" name="userId" value={userId} />
      <SubmitButton variant="ghost" className="py-1" pendingLabel="Making a link…">
        Sign-in link<span className="sr-only"> for {email}</span>
      </SubmitButton>
    </ActionForm>
  );
}

/** Disable or re-enable the account: a one-button form posting the target state. */
function AccountToggle({ slug, userId, email, disabled }: { slug: string; userId: string; email: string; disabled: boolean }) {
  return (
    <ActionForm action={setAccountDisabledAction.bind(null, slug)} inline>
      <input type="hidden" name="userId" value={userId} />
      <input type="hidden" name="disabled" value={disabled ? 'false' : 'true'} />
      <SubmitButton variant="ghost" className="py-1" pendingLabel={disabled ? 'Enabling…' : 'Disabling…'}>
        {disabled ? 'Enable account' : 'Disable account'}
        <span className="sr-only"> of {email}</span>
      </SubmitButton>
    </ActionForm>
  );
}

export default async function Members({ params }: { params: Promise<{ workspace: string }> }) {
  const { workspace: slug } = await params;
  const { db, workspace, user, can } = await requireMember(slug, null, `/settings/${slug}/members`);
  const manage = can('member.manage');
  const [members, invitations, seats] = await Promise.all([listMembers(db, workspace.id), manage ? listPendingInvitations(db, workspace.id) : Promise.resolve([]), seatUsage(db)]);
  const seatsFull = seats.limit !== null && seats.used + seats.reserved >= seats.limit;

  return (
    <div className="space-y-6">
      <PageHeader title="Members" description={`People with access to ${workspace.name}. Roles: ${ROLES.map((r) => `${r} (${ROLE_HELP[r]})`).join('; ')}.`} />
      {manage && (
        <Card
          title="Invite someone"
          description={`They get a link for this workspace and role; it works once, for 7 days, for that email only.${
            seats.limit === null ? '' : ` Seats: ${seats.used} of ${seats.limit} in use across the installation${seats.reserved ? `, ${seats.reserved} reserved by pending invitations` : ''}${seatsFull ? '; none is free, so only people who already have access elsewhere can be invited.' : '.'}`
          }`}
        >
          <ActionForm action={inviteAction.bind(null, slug)} resetOnSuccess secret={{ label: 'Invitation link', note: 'Copy it now and send it to them: it is not shown again.' }}>
            <div className="grid gap-4 sm:grid-cols-[1fr_12rem_auto] sm:items-end">
                <Field id="invite-email" label="Email" name="email">
                  <input id="invite-email" name="email" type="email" required aria-describedby="invite-email-error" className={inputClass} />
                </Field>
                <Field id="invite-role" label="Role">
                  <select id="invite-role" name="role" defaultValue="developer" className={inputClass}>
                    {ROLES.map((role) => (
                      <option key={role} value={role}>
                        {role}
                      </option>
                    ))}
                  </select>
                </Field>
                <SubmitButton>Create invitation</SubmitButton>
              </div>
          </ActionForm>
        </Card>
      )}

      <Card title={`${members.length} ${members.length === 1 ? 'member' : 'members'}`}>
        <Table caption={`Members of ${workspace.name}`} head={['Person', 'Role', 'Joined', 'Last sign-in', ...(manage ? ['Actions'] : [])]}>
          {members.map((m) => (
            <tr key={m.userId}>
              <Td>
                <span className="font-medium">{m.name || m.email}</span> {m.userId === user.id && <Badge tone="green">you</Badge>}
                {m.disabledAt && <Badge tone="red">account disabled</Badge>}
                {m.name && <span className="block text-xs text-slate-500 dark:text-slate-400">{m.email}</span>}
              </Td>
              <Td>
                {manage ? (
                  <ActionForm action={changeRoleAction.bind(null, slug)} inline className="flex-nowrap">
                    <input type="hidden" name="userId" value={m.userId} />
                    <label htmlFor={`role-${m.userId}`} className="sr-only">
                      Role of {m.email}
                    </label>
                    <select id={`role-${m.userId}`} name="role" defaultValue={m.role} className={`${inputClass} w-36 py-1`}>
                      {ROLES.map((role) => (
                        <option key={role} value={role}>
                          {role}
                        </option>
                      ))}
                    </select>
                    <SubmitButton variant="secondary" className="py-1">
                      Save<span className="sr-only"> role of {m.email}</span>
                    </SubmitButton>
                  </ActionForm>
                ) : (
                  <Badge tone={m.role === 'admin' ? 'brand' : 'neutral'}>{m.role}</Badge>
                )}
              </Td>
              <Td>
                <Time value={m.joinedAt} />
              </Td>
              <Td>
                <Time value={m.lastSignInAt} fallback="never" />
              </Td>
              {manage && (
                <Td>
                  <span className="flex flex-wrap gap-2">
                    <RowAction action={removeMemberAction.bind(null, slug)} name="userId" value={m.userId} label="Remove" target={m.email} variant="danger" pendingLabel="Removing…" />
                    {m.userId !== user.id && <SignInLinkButton slug={slug} userId={m.userId} email={m.email} />}
                    {m.userId !== user.id && <AccountToggle slug={slug} userId={m.userId} email={m.email} disabled={m.disabledAt !== null} />}
                  </span>
                </Td>
              )}
            </tr>
          ))}
        </Table>
      </Card>

      {manage && invitations.length > 0 && (
        <Card title="Pending invitations">
          <Table caption="Pending invitations" head={['Email', 'Role', 'Invited by', 'Expires', 'Actions']}>
            {invitations.map((invitation) => (
              <tr key={invitation.id}>
                <Td className="font-medium">{invitation.email}</Td>
                <Td>
                  <Badge>{invitation.role}</Badge>
                </Td>
                <Td>{invitation.invitedBy ?? '—'}</Td>
                <Td>
                  <Time value={invitation.expiresAt} />
                </Td>
                <Td>
                  <RowAction action={revokeInvitationAction.bind(null, slug)} name="invitationId" value={invitation.id} label="Withdraw" target={`the invitation for ${invitation.email}`} />
                </Td>
              </tr>
            ))}
          </Table>
        </Card>
      )}
    </div>
  );
}
