import { getEvidence } from '@/lib/api/endpoints/evidence';
import { withApi } from '@/lib/http/with-api';
import { handleEvidenceGet } from '@/lib/evidence/handlers';
import { otherMethods } from '@/lib/http/method-not-allowed';

export const dynamic = 'force-dynamic';

export const GET = withApi(getEvidence, handleEvidenceGet);
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(['GET']);
