import { uploadEvidence } from '@/lib/api/endpoints/evidence';
import { withApi } from '@/lib/http/with-api';
import { handleEvidenceUpload } from '@/lib/evidence/handlers';
import { otherMethods } from '@/lib/http/method-not-allowed';

export const dynamic = 'force-dynamic';

export const POST = withApi(uploadEvidence, handleEvidenceUpload);
export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods(['POST']);
