/**
 * /api/v1 paths no endpoint answers. Through the wrapper like every other route: without valid
 * credentials 401 (no route discovery for strangers), with them 404.
 */
import { z } from 'zod';
import { defineEndpoint } from '@/lib/api/endpoint';
import { ProblemError } from './problem';
import { withApi } from './with-api';

const unknownApiRoute = defineEndpoint({
  id: 'unknown-route',
  method: 'GET',
  path: '/api/v1/{path}',
  summary: 'No such API route',
  tags: [],
  auth: 'token-or-session',
  verb: null,
  status: 404,
  response: z.never(),
  errors: [404],
});

export const unknownApiRouteHandler = withApi(unknownApiRoute, (ctx) => {
  throw new ProblemError('not-found', `There is no API route ${ctx.request.method} ${new URL(ctx.request.url).pathname}. The API reference lists every route.`);
});
