import { portalAuthHandlers } from '@/lib/portal/auth';

export const dynamic = 'force-dynamic';

export const { GET, POST } = portalAuthHandlers;
