import { ownerDatabase } from '@/db/owner';
import { readinessResponse } from '@/lib/http/readiness';

export const dynamic = 'force-dynamic';

export function GET(request: Request) {
  return readinessResponse(request, ownerDatabase.open);
}
