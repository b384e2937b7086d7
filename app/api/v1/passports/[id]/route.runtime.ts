import { getPassport } from '@/lib/api/endpoints/passports';
import { withApi } from '@/lib/http/with-api';
import { handlePassportGet } from '@/lib/passport/handlers';
import { otherMethods } from '@/lib/http/method-not-allowed';

export const dynamic = 'force-dynamic';

export const GET = withApi(getPassport, handlePassportGet);
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(['GET']);
