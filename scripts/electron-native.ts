// `npm run rebuild:electron [-- --if-missing] [--arch x64]`: builds better-sqlite3 for the Electron in
// node_modules and puts it where the app looks for it (shell-policy/native-binding.ts:
// node_modules/better-sqlite3/build-electron/node-v<abi>-<platform>-<arch>/better_sqlite3.node),
// leaving npm's build for Node untouched, so `npm run dev`/`npm start`/`npm run demo` and the Node CLI
// and tests share one tree. It works on a copy of the package in a temp folder: first better-sqlite3's
// prebuilt binary for Electron (prebuild-install, from its GitHub releases), else a compile against
// Electron's headers (node-gyp, --dist-url https://electronjs.org/headers: needs a C++ toolchain).
// Either needs the network, so it runs where Electron itself can be downloaded, never in CI here.
// The result is checked before it is installed: plain Node must refuse it with Electron's
// NODE_MODULE_VERSION (a global `nodedir` npm setting, as on our CI machines, would otherwise make
// node-gyp build for Node silently).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { abiFromLoadError, electronBindingFile } from '../src-main/node/shell-policy/native-binding';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const req = createRequire(join(root, 'package.json'));

export const ELECTRON_HEADERS_URL = 'https://electronjs.org/headers';

export interface RebuildFacts {
  electronVersion: string;
  abi: string;
  platform: string;
  arch: string;
  /** The temp copy of better-sqlite3 the tools work in. */
  workDir: string;
  node: string;
  prebuildInstall: string | null;
  nodeGyp: string | null;
}

export interface Step {
  name: 'prebuilt' | 'compile';
  command: string;
  args: string[];
  cwd: string;
}

/** The ways to get the binary, in order: better-sqlite3's prebuilt one for Electron, else a compile. */
export function rebuildSteps(f: RebuildFacts): Step[] {
  const steps: Step[] = [];
  if (f.prebuildInstall) {
    steps.push({ name: 'prebuilt', command: f.node, cwd: f.workDir, args: [f.prebuildInstall, '--runtime=electron', `--target=${f.electronVersion}`, `--arch=${f.arch}`, `--platform=${f.platform}`, '--tag-prefix=v'] });
  }
  if (f.nodeGyp) {
    steps.push({ name: 'compile', command: f.node, cwd: f.workDir, args: [f.nodeGyp, 'rebuild', '--release', `--target=${f.electronVersion}`, `--arch=${f.arch}`, `--dist-url=${ELECTRON_HEADERS_URL}`] });
  }
  return steps;
}

/** npm passes its settings to scripts as npm_config_*; those that would build for another runtime go. */
export function toolEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) {
    if (/^npm_config_(nodedir|target|runtime|disturl|dist_url|arch|target_arch|build_from_source)$/i.test(k)) continue;
    out[k] = v;
  }
  return out;
}

/** What plain Node says about the built file: it must refuse it for Electron's ABI. */
export function verdictOnBuilt(loadedInNode: boolean, errorText: string, expectedAbi: string): { ok: true } | { ok: false; message: string } {
  if (loadedInNode) return { ok: false, message: 'the result loads in Node, so it was built for Node, not Electron (a `nodedir` npm setting?)' };
  const abi = abiFromLoadError(errorText);
  if (abi === Number(expectedAbi)) return { ok: true };
  return { ok: false, message: `the result is not built for Electron's NODE_MODULE_VERSION ${expectedAbi} (${abi === null ? errorText.split('\n')[0] : `it is for ${abi}`})` };
}

function resolveOrNull(id: string, from: NodeJS.Require): string | null {
  try {
    return from.resolve(id);
  } catch {
    return null;
  }
}

export interface EnsureResult {
  ok: boolean;
  path: string;
  message: string;
}

/** Builds and installs the Electron binary (or finds it there already with ifMissing). Never throws. */
export function ensureElectronSqlite(opts: { ifMissing?: boolean; arch?: string; log?: (line: string) => void } = {}): EnsureResult {
  const log = opts.log ?? ((l: string) => console.log(l));
  const electronPkg = join(root, 'node_modules', 'electron');
  const packageDir = dirname(req.resolve('better-sqlite3/package.json'));
  const electronVersion = (JSON.parse(readFileSync(join(electronPkg, 'package.json'), 'utf8')) as { version: string }).version;
  const abi = readFileSync(join(electronPkg, 'abi_version'), 'utf8').trim();
  const runtime = { modules: abi, platform: process.platform, arch: opts.arch ?? process.arch };
  const target = electronBindingFile(packageDir, runtime);
  if (opts.ifMissing && existsSync(target)) return { ok: true, path: target, message: 'already built' };

  const work = mkdtempSync(join(tmpdir(), 'electron-sqlite-'));
  try {
    const copy = join(work, 'better-sqlite3');
    cpSync(packageDir, copy, { recursive: true, filter: (src) => !/^[\\/](build|build-electron)([\\/]|$)/.test(src.slice(packageDir.length)) });
    const steps = rebuildSteps({
      electronVersion, abi, platform: runtime.platform, arch: runtime.arch, workDir: copy, node: process.execPath,
      prebuildInstall: resolveOrNull('prebuild-install/bin.js', createRequire(join(packageDir, 'package.json'))),
      nodeGyp: resolveOrNull('node-gyp/bin/node-gyp.js', req) ?? process.env.npm_config_node_gyp ?? null,
    });
    const built = join(copy, 'build', 'Release', 'better_sqlite3.node');
    const failures: string[] = [];
    for (const step of steps) {
      log(`better-sqlite3 for Electron ${electronVersion} (NODE_MODULE_VERSION ${abi}, ${runtime.platform}-${runtime.arch}): ${step.name === 'prebuilt' ? 'downloading the prebuilt binary' : 'compiling against Electron\'s headers'}…`);
      const r = spawnSync(step.command, step.args, { cwd: step.cwd, env: toolEnv(process.env), stdio: ['ignore', 'inherit', 'inherit'], timeout: 15 * 60_000 });
      if (r.status !== 0 || !existsSync(built)) {
        failures.push(`${step.name}: ${r.error ? r.error.message : `exit ${r.status ?? r.signal}`}`);
        continue;
      }
      const probe = spawnSync(process.execPath, ['-e', 'process.dlopen({ exports: {} }, process.argv[1])', built], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' }, timeout: 60_000 });
      const verdict = verdictOnBuilt(probe.status === 0, `${probe.stderr}`, abi);
      if (!verdict.ok) {
        failures.push(`${step.name}: ${verdict.message}`);
        rmSync(built, { force: true });
        continue;
      }
      mkdirSync(dirname(target), { recursive: true });
      const tmp = `${target}.${process.pid}.tmp`;
      cpSync(built, tmp);
      renameSync(tmp, target);
      return { ok: true, path: target, message: `installed ${target}` };
    }
    return {
      ok: false, path: target,
      message: `better-sqlite3 could not be built for Electron ${electronVersion} (${failures.join('; ') || 'no build tool found'}). `
        + `It needs the network (GitHub for the prebuilt binary, ${ELECTRON_HEADERS_URL} for the headers) and, to compile, a C++ toolchain; `
        + `see README, "Contributing on a machine with Electron". The Node build (npm's) is unchanged.`,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const { values } = parseArgs({ options: { 'if-missing': { type: 'boolean' }, arch: { type: 'string' } }, strict: true });
  const r = ensureElectronSqlite({ ifMissing: values['if-missing'] ?? false, arch: values.arch });
  if (r.ok) {
    if (r.message !== 'already built') console.log(r.message);
  } else {
    console.error(r.message);
    process.exit(1);
  }
}
