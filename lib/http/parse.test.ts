import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ProblemError } from './problem';
import { parseWith, rawBodyStream, readJsonBody } from './parse';

describe('request parsing through the endpoint schemas', () => {
  it('gives the parsed value, or every field error with its path', async () => {
    const schema = z.object({ name: z.string().min(2, 'At least 2 characters.'), count: z.number().int('A whole number.') });
    expect(await parseWith(schema, { name: 'ab', count: 2 }, 'body')).toEqual({ value: { name: 'ab', count: 2 }, errors: [] });
    expect((await parseWith(schema, { name: 'a', count: 1.5 }, 'body')).errors).toEqual([
      { path: 'body.name', message: 'At least 2 characters.' },
      { path: 'body.count', message: 'A whole number.' },
    ]);
  });

  it('still parses a schema with an asynchronous refinement (the synchronous parser refuses it)', async () => {
    const schema = z.object({ slug: z.string().refine(async (value) => value !== 'taken', 'That slug is taken.') });
    expect(await parseWith(schema, { slug: 'free' }, 'body')).toEqual({ value: { slug: 'free' }, errors: [] });
    expect((await parseWith(schema, { slug: 'taken' }, 'body')).errors).toEqual([{ path: 'body.slug', message: 'That slug is taken.' }]);
  });

  it('refuses text Postgres cannot store before the schema sees it', async () => {
    const schema = z.object({ note: z.string() });
    expect((await parseWith(schema, { note: 'a\u0000b' }, 'body')).errors).toEqual([
      { path: 'body.note', message: 'Contains a NUL character or an unpaired UTF-16 surrogate; send valid Unicode text.' },
    ]);
  });
});

describe('request bodies as clients send them', () => {
  const post = (body: BodyInit, headers: Record<string, string>) => new Request('http://localhost/api/v1/x', { method: 'POST', body, headers });

  it('reads JSON that starts with a byte order mark (Windows PowerShell writes one)', async () => {
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"service":"api"}')]);
    expect(await readJsonBody(post(withBom, { 'content-type': 'application/json' }))).toEqual({ service: 'api' });
  });

  it('refuses a compressed body with 415 and says to send it uncompressed, for JSON and for uploads', async () => {
    const gzipped = (await import('node:zlib')).gzipSync('{"service":"api"}');
    const json = await readJsonBody(post(gzipped, { 'content-type': 'application/json', 'content-encoding': 'gzip' })).catch((error: unknown) => error);
    expect(json).toBeInstanceOf(ProblemError);
    expect(json).toMatchObject({ status: 415, message: 'This server does not accept compressed request bodies (Content-Encoding: gzip): send the body uncompressed.', headers: { 'accept-encoding': 'identity' } });
    expect(() => rawBodyStream(post(gzipped, { 'content-type': 'application/vnd.cyclonedx+json', 'content-encoding': 'gzip' }), { mediaTypes: ['application/vnd.cyclonedx+json'], maxBytes: 1024 })).toThrow(
      /does not accept compressed request bodies \(Content-Encoding: gzip\)/,
    );
    // "identity" is no encoding at all.
    expect(await readJsonBody(post('{"a":1}', { 'content-type': 'application/json', 'content-encoding': 'identity' }))).toEqual({ a: 1 });
  });
});
