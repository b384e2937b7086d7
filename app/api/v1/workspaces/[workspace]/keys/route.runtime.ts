import { workspaceKeys } from '@/lib/api/endpoints/keys';
import { withApi } from '@/lib/http/with-api';
import { handleWorkspaceKeys } from '@/lib/passport/handlers';

export const dynamic = 'force-dynamic';

export const GET = withApi(workspaceKeys, handleWorkspaceKeys);
