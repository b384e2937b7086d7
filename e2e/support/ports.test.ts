import net from 'node:net';
import { expect, it } from 'vitest';
import { assertPortFree, freePort } from './ports';

it('a test server refuses a port something already listens on, so a test never talks to another run\'s server', async () => {
  const port = await freePort();
  await expect(assertPortFree(port)).resolves.toBeUndefined();
  const other = net.createServer();
  await new Promise<void>((resolve) => other.listen(port, '127.0.0.1', resolve));
  try {
    await expect(assertPortFree(port)).rejects.toThrow(`port ${port} is already in use`);
  } finally {
    await new Promise((resolve) => other.close(resolve));
  }
});
