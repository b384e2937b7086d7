/**
 * A process-wide database per kind, opened (and migrated) on first use. Kept on globalThis so
 * that Next's module reloading in development does not open a second connection pool.
 */
import { settings } from '@/lib/config/settings';
import { openDatabase, type DatabaseKind, type DatabaseOptions, type OpenDatabase } from './client';

type Overrides = Pick<DatabaseOptions<Record<string, unknown>>, 'url' | 'maxConnections'>;

/** Overrides, or a function that prepares them on first open (tests clone a template lazily). */
type OverridesSource = Overrides | (() => Promise<Overrides>);

interface Slot {
  overrides?: OverridesSource;
  opening?: Promise<OpenDatabase<Record<string, unknown>>>;
}

const slots = ((globalThis as { __rpDatabases?: Record<string, Slot> }).__rpDatabases ??= {});

export function databaseSingleton<TSchema extends Record<string, unknown>>(
  kind: DatabaseKind,
  schema: TSchema,
  migrationsFolder: string,
) {
  const slot = (slots[kind] ??= {});
  return {
    /** Opens the database on first call; later calls share it. */
    open(): Promise<OpenDatabase<TSchema>> {
      slot.opening ??= resolveOverrides(slot.overrides)
        .then((overrides) =>
          openDatabase({
            kind,
            schema,
            migrationsFolder,
            url: overrides.url ?? settings().database.url ?? undefined,
            maxConnections: overrides.maxConnections,
          }),
        )
        .catch((error) => {
        slot.opening = undefined; // let the next caller retry (e.g. the database came up)
        throw error;
      }) as Promise<OpenDatabase<Record<string, unknown>>>;
      return slot.opening as Promise<OpenDatabase<TSchema>>;
    },
    /** Points the next open at another database (tests, CLI flags). Closes nothing. */
    configure(overrides: OverridesSource): void {
      slot.overrides = overrides;
      slot.opening = undefined;
    },
    async close(): Promise<void> {
      const opening = slot.opening;
      slot.opening = undefined;
      if (opening) await (await opening).close();
    },
  };
}

async function resolveOverrides(source: OverridesSource | undefined): Promise<Overrides> {
  if (!source) return {};
  return typeof source === 'function' ? source() : source;
}
