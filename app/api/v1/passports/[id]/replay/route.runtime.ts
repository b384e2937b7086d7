import { replayPassport } from '@/lib/api/endpoints/passports';
import { withApi } from '@/lib/http/with-api';
import { handlePassportReplay } from '@/lib/passport/handlers';

export const dynamic = 'force-dynamic';

export const POST = withApi(replayPassport, handlePassportReplay);
