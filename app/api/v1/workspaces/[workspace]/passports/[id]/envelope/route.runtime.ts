import { passportEnvelope } from '@/lib/api/endpoints/console';
import { passportEnvelopeHandler } from '@/lib/console/downloads';
import { withApi } from '@/lib/http/with-api';

export const dynamic = 'force-dynamic';

export const GET = withApi(passportEnvelope, passportEnvelopeHandler);
