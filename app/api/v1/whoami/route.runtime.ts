import { whoami } from '@/lib/api/endpoints/identity';
import { describeCaller } from '@/lib/auth/whoami';
import { withApi } from '@/lib/http/with-api';

export const dynamic = 'force-dynamic';

export const GET = withApi(whoami, describeCaller);
