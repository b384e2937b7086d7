import { runtimeDatabase } from '@/db/runtime';
import { readinessResponse } from '@/lib/http/readiness';

export const dynamic = 'force-dynamic';

export function GET(request: Request) {
  return readinessResponse(request, runtimeDatabase.open);
}
