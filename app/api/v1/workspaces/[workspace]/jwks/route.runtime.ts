import { workspaceJwks } from '@/lib/api/endpoints/keys';
import { withApi } from '@/lib/http/with-api';
import { handleWorkspaceJwks } from '@/lib/passport/handlers';
import { otherMethods } from '@/lib/http/method-not-allowed';

export const dynamic = 'force-dynamic';

export const GET = withApi(workspaceJwks, handleWorkspaceJwks);
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(['GET']);
