import { portalAuthHandlers } from '@/lib/auth/portal';

export const dynamic = 'force-dynamic';

export const { GET, POST } = portalAuthHandlers;
