import { startTestProxy } from '@/lib/testing/connect-proxy';
const proxy = await startTestProxy({ credentials: 'ops:pa55' });
console.log('PROXY', proxy.url);
