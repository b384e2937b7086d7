import { getPassport } from '@/lib/api/endpoints/passports';
import { withApi } from '@/lib/http/with-api';
import { handlePassportGet } from '@/lib/passport/handlers';

export const dynamic = 'force-dynamic';

export const GET = withApi(getPassport, handlePassportGet);
