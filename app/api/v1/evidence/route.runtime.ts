import { uploadEvidence } from '@/lib/api/endpoints/evidence';
import { withApi } from '@/lib/http/with-api';
import { handleEvidenceUpload } from '@/lib/evidence/handlers';

export const dynamic = 'force-dynamic';

export const POST = withApi(uploadEvidence, handleEvidenceUpload);
