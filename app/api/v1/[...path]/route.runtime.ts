import { unknownApiRouteHandler } from '@/lib/http/unknown-route';

export const dynamic = 'force-dynamic';

export {
  unknownApiRouteHandler as GET,
  unknownApiRouteHandler as POST,
  unknownApiRouteHandler as PUT,
  unknownApiRouteHandler as PATCH,
  unknownApiRouteHandler as DELETE,
};
