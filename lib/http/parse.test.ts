import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseWith } from './parse';

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
