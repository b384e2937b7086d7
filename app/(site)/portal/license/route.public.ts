import { getOwnerDb } from '@/db/owner';
import { latestLicense } from '@/lib/billing/entitlements';
import { currentBuyer } from '@/lib/portal/session';

export const dynamic = 'force-dynamic';

/** The buyer's current license as a file, for Settings → License in their runtime. */
export async function GET() {
  const customer = await currentBuyer();
  if (!customer) return new Response('Sign in to the portal first.', { status: 401, headers: { 'content-type': 'text/plain' } });
  const license = await latestLicense(await getOwnerDb(), customer.id);
  if (!license) return new Response('No license has been issued to this account.', { status: 404, headers: { 'content-type': 'text/plain' } });
  return new Response(license.token + '\n', {
    headers: {
      'content-type': 'text/plain; charset=utf-8',
      'content-disposition': `attachment; filename="release-passport-${license.plan}.license"`,
      'cache-control': 'private, no-store',
    },
  });
}
