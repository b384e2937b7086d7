import { getEvidence } from '@/lib/api/endpoints/evidence';
import { withApi } from '@/lib/http/with-api';
import { handleEvidenceGet } from '@/lib/evidence/handlers';

export const dynamic = 'force-dynamic';

export const GET = withApi(getEvidence, handleEvidenceGet);
