import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { withDatabase } from './testing/templates';
import { databaseUnavailableReason, isDataException, redactedDatabaseUrl } from './faults';

const ADMIN_URL = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

async function errorOf(url: string): Promise<unknown> {
  const sql = postgres(url, { max: 1, connect_timeout: 5, onnotice: () => {} });
  try {
    await sql`select 1`;
    return null;
  } catch (error) {
    return error;
  } finally {
    await sql.end({ timeout: 1 }).catch(() => {});
  }
}

describe('what counts as "the database is unavailable" (503, retry) rather than a bug (500)', () => {
  it('a server that does not know our database: another cluster answering on our port', async () => {
    const error = await errorOf(withDatabase(ADMIN_URL, `rp_does_not_exist_${process.pid}`));
    expect((error as { code?: string }).code).toBe('3D000');
    expect(databaseUnavailableReason(error)).toContain('3D000');
  });

  it('nobody listening', async () => {
    const error = await errorOf('postgres://postgres@127.0.0.1:1/postgres');
    expect(databaseUnavailableReason(error)).toContain('ECONNREFUSED');
  });

  it('a DatabaseUnavailableError made by another copy of this module (another server chunk) is still one', () => {
    class DatabaseUnavailableError extends Error {
      constructor(message: string) {
        super(message);
        this.name = 'DatabaseUnavailableError';
      }
    }
    expect(databaseUnavailableReason(new Error('wrapped', { cause: new DatabaseUnavailableError('No database connection could be had within 2 s.') }))).toBe(
      'No database connection could be had within 2 s.',
    );
  });

  it('a query that is wrong is not an outage', async () => {
    const sql = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
    const error = await sql`select * from no_such_table_anywhere`.catch((caught: unknown) => caught);
    await sql.end();
    expect(databaseUnavailableReason(error)).toBeNull();
    expect(isDataException(error)).toBe(false);
  });

  it('a value the database refuses is the caller\'s input (class 22), not an outage', async () => {
    const sql = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
    const error = await sql`select ${'not-a-uuid'}::uuid`.catch((caught: unknown) => caught);
    await sql.end();
    expect(isDataException(error)).toBe(true);
    expect(databaseUnavailableReason(error)).toBeNull();
  });
});

describe('DATABASE_URL in a log line', () => {
  it('names user, host, port and database, never the password', () => {
    expect(redactedDatabaseUrl('postgres://rp:s3cr%40t@db.internal:5433/release_passport?sslmode=require')).toBe('postgres://rp@db.internal:5433/release_passport');
    expect(redactedDatabaseUrl('postgres://db.internal/rp')).toBe('postgres://db.internal/rp');
    expect(redactedDatabaseUrl('not a url')).toBe('(a DATABASE_URL that is not a URL)');
    expect(redactedDatabaseUrl(null)).toBe('(no DATABASE_URL)');
  });
});
