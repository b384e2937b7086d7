import { describe, expect, it } from 'vitest';
import { startFailureMessage } from './database-start';

describe('why a start could not finish, as the operator reads it', () => {
  it('gives the database’s own reason and code, the statement it refused, and what to grant for a missing privilege', () => {
    const refused = Object.assign(new Error('permission denied for database release_passport'), { code: '42501' });
    const wrapped = Object.assign(new Error('Failed query: CREATE SCHEMA IF NOT EXISTS "drizzle"\nparams: ', { cause: refused }), { query: 'CREATE SCHEMA IF NOT EXISTS "drizzle"' });
    expect(startFailureMessage(wrapped)).toBe(
      'permission denied for database release_passport (SQLSTATE 42501) in: CREATE SCHEMA IF NOT EXISTS "drizzle". The server migrates its database at start: the role in DATABASE_URL must own the database (or have CREATE on it and on its public schema); see /docs/install',
    );
  });

  it('says what it can of anything else thrown, without failing itself', () => {
    expect(startFailureMessage(new Error('the bootstrap admin could not be created'))).toBe('the bootstrap admin could not be created');
    expect(startFailureMessage(null)).toBe('null');
    expect(startFailureMessage('a string')).toBe('a string');
  });
});
