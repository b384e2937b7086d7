import { whoami } from '@/lib/api/endpoints/identity';
import { describeCaller } from '@/lib/auth/whoami';
import { withApi } from '@/lib/http/with-api';
import { otherMethods } from '@/lib/http/method-not-allowed';

export const dynamic = 'force-dynamic';

export const GET = withApi(whoami, describeCaller);
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(['GET']);
