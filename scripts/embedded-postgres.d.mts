// Types of scripts/embedded-postgres.mjs, for the TypeScript code that starts the embedded database.
export declare const EMBEDDED_POSTGRES_MAJOR: number;
export declare class EmbeddedPostgresError extends Error {}
export interface EmbeddedPostgresOwner {
  pid: number;
  purpose?: string;
  startedAt?: string;
  url: string;
  port: number;
  postmasterPid: number;
  major: number;
}
export interface RunningEmbeddedPostgres {
  url: string;
  port: number;
  postmasterPid: number;
  dataDir: string;
  logFile: string;
  onUnexpectedExit(listener: (outcome: { code: number | null; signal: string | null }) => void): void;
  stop(timeoutMs?: number): Promise<void>;
  release(): void;
}
export interface StartOptions {
  purpose?: string;
  port?: number;
  log?: (line: string) => void;
  settings?: Record<string, string>;
}
export declare function embeddedPostgresDir(dataRoot: string, target?: string): string;
export declare function runningEmbeddedPostgres(dir: string): EmbeddedPostgresOwner | null;
export declare function startEmbeddedPostgres(dir: string, options?: StartOptions): Promise<RunningEmbeddedPostgres>;
export declare function resolveBinaries(): { initdb: string; postgres: string };
