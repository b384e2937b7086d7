import { refreshClaims } from '@/lib/auth/refresh';

export const dynamic = 'force-dynamic';

export const GET = refreshClaims;
