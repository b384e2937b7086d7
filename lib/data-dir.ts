import path from 'node:path';

/**
 * Where this installation keeps its local state: the embedded database, blobs, local secrets
 * (`RP_DATA_DIR`, default `./.data`). The turbopackIgnore comment keeps the build's file tracing
 * from copying a developer's data directory (session key, database) into the standalone output.
 */
export function dataDir(env: Record<string, string | undefined> = process.env): string {
  return path.resolve(/*turbopackIgnore: true*/ env.RP_DATA_DIR || path.join(/*turbopackIgnore: true*/ process.cwd(), '.data'));
}
