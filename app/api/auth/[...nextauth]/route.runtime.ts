import { handlers } from '@/lib/auth/config';

export const dynamic = 'force-dynamic';

export const { GET, POST } = handlers;
