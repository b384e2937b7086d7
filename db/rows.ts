/** The rows of a raw `db.execute(sql...)`, typed: postgres.js returns them as an array. */
export function rowsOf<T>(result: unknown): T[] {
  return result as T[];
}
