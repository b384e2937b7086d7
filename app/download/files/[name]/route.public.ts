import { serveReleaseFile } from '@/lib/portal/download-route';

export const dynamic = 'force-dynamic';

export async function GET(request: Request, context: { params: Promise<{ name: string }> }) {
  const { name } = await context.params;
  return serveReleaseFile(request, name);
}
