import { Badge, Card, Table, Td } from '@/app/_components/ui';
import type { AwaitingApproval } from '@/lib/console/awaiting-approval';
import { plural } from '@/lib/text/plural';
import { WhenAndLinkCells } from './pair-cells';

/** The releases whose latest passport waits for a sign-off; the ones this person can give first. */
export function AwaitingApprovalCard({ awaiting, base, now }: { awaiting: AwaitingApproval[]; base: string; now: Date }) {
  const sorted = [...awaiting].sort((a, b) => Number(b.awaitingYou) - Number(a.awaitingYou) || b.pair.evaluatedAt.getTime() - a.pair.evaluatedAt.getTime());
  const yours = awaiting.filter((item) => item.awaitingYou).length;
  return (
    <Card
      title="Awaiting approval"
      description={`Releases whose latest passport is short of approvals or rejected. ${yours > 0 ? `${plural(yours, 'release')} can be approved by you.` : 'None of them waits for you.'} Approving judges the release again at once.`}
    >
      <Table caption="Releases awaiting approval" head={['Service', 'Environment', 'Needs', 'Since', '']}>
        {sorted.map(({ pair, awaitingYou, approvedByYou, rejectedByYou }) => (
          <tr key={pair.passportId}>
            <Td className="font-medium">{pair.service}</Td>
            <Td>{pair.environment}</Td>
            <Td>
              <ul className="space-y-1">
                {pair.approvalsNeeded.map((need) => (
                  <li key={need.ruleId}>
                    {need.have} of {plural(need.count, 'approval')} from a {need.role} or above
                    {need.rejections ? (
                      <>
                        {' '}
                        <Badge tone="red">{plural(need.rejections, 'rejection')}</Badge>
                      </>
                    ) : null}
                  </li>
                ))}
              </ul>
              {awaitingYou && <Badge tone="amber">awaiting you</Badge>}
              {approvedByYou && <Badge tone="green">you approved</Badge>}
              {rejectedByYou && <Badge tone="red">you rejected</Badge>}
            </Td>
            <WhenAndLinkCells pair={pair} base={base} now={now}>
              Review<span className="sr-only"> the release of {pair.service} to {pair.environment}</span>
            </WhenAndLinkCells>
          </tr>
        ))}
      </Table>
    </Card>
  );
}
