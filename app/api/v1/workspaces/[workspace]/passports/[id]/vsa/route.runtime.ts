import { passportVsa } from '@/lib/api/endpoints/console';
import { passportVsaHandler } from '@/lib/console/downloads';
import { withApi } from '@/lib/http/with-api';
import { otherMethods } from '@/lib/http/method-not-allowed';

export const dynamic = 'force-dynamic';

export const GET = withApi(passportVsa, passportVsaHandler);
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(['GET']);
