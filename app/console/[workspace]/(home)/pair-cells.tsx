import Link from '@/app/_components/link';
import type { ReactNode } from 'react';
import { Ago } from '@/app/_components/status';
import { Td } from '@/app/_components/ui';
import type { PairSummary } from '@/lib/console/overview';

/** The last cells of an overview row: when its passport was made, and the link to it (`children` names it). */
export function WhenAndLinkCells({ pair, base, now, children }: { pair: PairSummary; base: string; now: Date; children: ReactNode }) {
  return (
    <>
      <Td className="whitespace-nowrap">
        <Ago value={pair.evaluatedAt} now={now} />
      </Td>
      <Td>
        <Link className="font-medium text-brand-700 hover:underline dark:text-brand-100" href={`${base}/passports/${pair.passportId}`}>
          {children}
        </Link>
      </Td>
    </>
  );
}
