// `node --import ./scripts/server-only-outside-next.mjs`: see ./server-only-hooks.mjs.
import { register } from 'node:module';

register('./server-only-hooks.mjs', import.meta.url);
