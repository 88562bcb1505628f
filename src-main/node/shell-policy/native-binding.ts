// One index, two runtimes. better-sqlite3 12 is not N-API: its addon is built for one
// NODE_MODULE_VERSION (Node 20: 115, Electron 41: 145) and refuses to load in the other runtime.
// The source tree keeps npm's build (for Node: the CLI, `serve`, the tests) where npm put it, and a
// second build for Electron's ABI beside it, inside the package folder:
//   node_modules/better-sqlite3/build-electron/node-v<abi>-<platform>-<arch>/better_sqlite3.node
// made by `npm run rebuild:electron` (scripts/electron-native.ts) where Electron's headers or
// better-sqlite3's prebuilt binaries can be downloaded. Inside the package folder, a reinstall of
// better-sqlite3 removes it with the JS it was built for. The index store passes the chosen file as
// better-sqlite3's `nativeBinding` option. A packaged app (the package inside app.asar) uses the
// default build, which electron-builder rebuilt for Electron (npmRebuild), and build-electron/ is left
// out of the package (electron-builder.yml `files`).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface RuntimeFacts {
  /** process.versions.electron: set in Electron, also when it runs as Node (ELECTRON_RUN_AS_NODE). */
  electron: string | null;
  /** process.versions.modules: the ABI the running runtime loads. */
  modules: string;
  platform: string;
  arch: string;
}

export interface BindingFacts extends RuntimeFacts {
  /** better-sqlite3's package folder. */
  packageDir: string;
  /** Whether the Electron build exists at electronBindingFile(...). */
  electronBuildExists: boolean;
}

export type BindingChoice =
  | { kind: 'default' }
  | { kind: 'file'; path: string }
  | { kind: 'missing'; message: string };

export const ELECTRON_BUILD_FOLDER = 'build-electron';
export const REBUILD_COMMAND = 'npm run rebuild:electron';

/** Where the Electron build of better-sqlite3 lives (written by the rebuild step, read here). */
export function electronBindingFile(packageDir: string, runtime: Pick<RuntimeFacts, 'modules' | 'platform' | 'arch'>): string {
  return join(packageDir, ELECTRON_BUILD_FOLDER, `node-v${runtime.modules}-${runtime.platform}-${runtime.arch}`, 'better_sqlite3.node');
}

/** True when the path is inside an asar archive (a packaged app: its native modules were rebuilt for Electron). */
export function insideAsar(path: string): boolean {
  return path.split(/[\\/]/).some((part) => part.endsWith('.asar'));
}

export function chooseSqliteBinding(f: BindingFacts): BindingChoice {
  if (!f.electron) return { kind: 'default' };
  if (insideAsar(f.packageDir)) return { kind: 'default' };
  if (f.electronBuildExists) return { kind: 'file', path: electronBindingFile(f.packageDir, f) };
  return {
    kind: 'missing',
    message: `The SQLite index cannot be opened in Electron ${f.electron}: better-sqlite3 is built for Node only `
      + `(it is not N-API, and Electron needs a build for NODE_MODULE_VERSION ${f.modules}). `
      + `Run \`${REBUILD_COMMAND}\` once where Electron's headers can be downloaded, then start the app again.`,
  };
}

let cached: string | undefined | null = null;

/**
 * The `nativeBinding` option for better-sqlite3 in this process: undefined (its default build) or the
 * path of the Electron build. Throws the clear message when Electron has no build to load.
 */
export function sqliteNativeBinding(): string | undefined {
  if (cached !== null) return cached;
  const runtime: RuntimeFacts = { electron: process.versions.electron ?? null, modules: process.versions.modules, platform: process.platform, arch: process.arch };
  if (!runtime.electron) return (cached = undefined);
  const packageDir = dirname(createRequire(import.meta.url).resolve('better-sqlite3/package.json'));
  const choice = chooseSqliteBinding({ ...runtime, packageDir, electronBuildExists: existsSync(electronBindingFile(packageDir, runtime)) });
  if (choice.kind === 'missing') throw new Error(choice.message);
  return (cached = choice.kind === 'file' ? choice.path : undefined);
}

/** The NODE_MODULE_VERSION an addon was built for, read from the error a runtime gives when it refuses it. */
export function abiFromLoadError(message: string): number | null {
  const m = /compiled against a different Node\.js version using\s+NODE_MODULE_VERSION (\d+)/.exec(message);
  return m ? Number(m[1]) : null;
}
