import { currentTarget } from '@/lib/target';
import { productVersion } from '@/lib/version';

export const dynamic = 'force-dynamic';

/** Liveness: the process answers. It touches nothing else, so a slow database never restarts pods. */
export function GET() {
  return Response.json(
    { status: 'ok', target: currentTarget, version: productVersion },
    { headers: { 'cache-control': 'no-store' } },
  );
}
