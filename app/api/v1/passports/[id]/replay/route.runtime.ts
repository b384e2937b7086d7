import { replayPassport } from '@/lib/api/endpoints/passports';
import { withApi } from '@/lib/http/with-api';
import { handlePassportReplay } from '@/lib/passport/handlers';
import { otherMethods } from '@/lib/http/method-not-allowed';

export const dynamic = 'force-dynamic';

export const POST = withApi(replayPassport, handlePassportReplay);
export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods(['POST']);
