// A stand-in for where the bundled command line runs, built in a temp folder by scripts/build-cli.mjs:
// either the installed app (/opt/cloudHPC Sync/resources/app.asar/..., app.asar a plain folder here,
// with the real launcher build/bin/cloudhpc-sync in resources/bin and a stand-in app binary that runs
// this machine's node only when ELECTRON_RUN_AS_NODE=1, as Electron would), or a source checkout
// (<checkout>/out/cli/...). Its node_modules holds only the native addons and what they require.
// `pretendElectron` makes the runtime report process.versions.electron, as Electron's does.
import { spawn } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buildBundles } from '../../scripts/build-cli.mjs';

export const projectRoot = join(import.meta.dirname, '..', '..');
const req = createRequire(join(projectRoot, 'package.json'));

export interface Layout {
  base: string;
  /** Where out/ and node_modules/ are: .../resources/app.asar, or the checkout. */
  appRoot: string;
  /** The bundle, to run with node directly. */
  bundle: string;
  /** Node's arguments that make it report process.versions.electron (empty unless pretendElectron). */
  nodeArgs: string[];
  /** Installed layout: the launcher reached as /usr/bin/cloudhpc-sync → /etc/alternatives → resources/bin. */
  onPath: string;
  /** Installed layout: the launcher through a relative symlink. */
  relativeLink: string;
  packageDir(name: string): string;
  close(): void;
}

export async function makeLayout(opts: { installed: boolean; pretendElectron?: string; renderer?: boolean }): Promise<Layout> {
  const base = mkdtempSync(join(tmpdir(), opts.installed ? 'cli-install-' : 'cli-checkout-'));
  const app = join(base, 'opt', 'cloudHPC Sync');
  const resources = join(app, 'resources');
  const appRoot = opts.installed ? join(resources, 'app.asar') : join(base, 'checkout');
  await buildBundles({ outRoot: appRoot });
  const copy = (name: string, parts: string[]): void => {
    const from = dirname(req.resolve(`${name}/package.json`));
    for (const p of ['package.json', ...parts]) cpSync(join(from, p), join(appRoot, 'node_modules', name, p), { recursive: true });
  };
  copy('better-sqlite3', ['lib', 'build/Release/better_sqlite3.node']);
  copy('bindings', ['bindings.js']);
  copy('file-uri-to-path', ['index.js']);
  copy('keytar', ['lib', 'build/Release/keytar.node']);
  if (opts.renderer && existsSync(join(projectRoot, 'out', 'renderer', 'index.html'))) {
    cpSync(join(projectRoot, 'out', 'renderer'), join(appRoot, 'out', 'renderer'), { recursive: true });
  }

  const nodeArgs: string[] = [];
  if (opts.pretendElectron) {
    const preload = join(base, 'pretend-electron.cjs');
    writeFileSync(preload, `Object.defineProperty(process.versions, 'electron', { value: ${JSON.stringify(opts.pretendElectron)}, enumerable: true });\n`);
    nodeArgs.push('--require', preload);
  }
  const onPath = join(base, 'usr', 'bin', 'cloudhpc-sync');
  const relativeLink = join(base, 'cloudhpc-sync');
  if (opts.installed) {
    const quoted = [process.execPath, ...nodeArgs].map((a) => `'${a}'`).join(' ');
    writeFileSync(join(app, 'cloudhpc-sync'), `#!/bin/sh\n[ "$ELECTRON_RUN_AS_NODE" = 1 ] || { echo "started as the desktop app, not as Node" >&2; exit 97; }\nexec ${quoted} "$@"\n`);
    chmodSync(join(app, 'cloudhpc-sync'), 0o755);
    mkdirSync(join(resources, 'bin'));
    cpSync(join(projectRoot, 'build', 'bin', 'cloudhpc-sync'), join(resources, 'bin', 'cloudhpc-sync'));
    chmodSync(join(resources, 'bin', 'cloudhpc-sync'), 0o755);
    mkdirSync(join(base, 'etc', 'alternatives'), { recursive: true });
    mkdirSync(join(base, 'usr', 'bin'), { recursive: true });
    symlinkSync(join(resources, 'bin', 'cloudhpc-sync'), join(base, 'etc', 'alternatives', 'cloudhpc-sync'));
    symlinkSync(join(base, 'etc', 'alternatives', 'cloudhpc-sync'), onPath);
    symlinkSync('opt/cloudHPC Sync/resources/bin/cloudhpc-sync', relativeLink);
  }
  return {
    base, appRoot, nodeArgs, onPath, relativeLink,
    bundle: join(appRoot, 'out', 'cli', 'cloudhpc-sync.cjs'),
    packageDir: (name) => join(appRoot, 'node_modules', name),
    close: () => rmSync(base, { recursive: true, force: true }),
  };
}

export interface Run { code: number | null; stdout: string; stderr: string }

export function run(cmd: string, args: string[], env: Record<string, string>): Promise<Run> {
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) => child.on('close', (code) => { clearTimeout(killer); resolve({ code, stdout, stderr }); }));
}

/** A small case folder to push. */
export function writeCase(dir: string): void {
  mkdirSync(join(dir, 'system'), { recursive: true });
  writeFileSync(join(dir, 'system', 'controlDict'), 'FoamFile {}\n');
  writeFileSync(join(dir, 'Allrun'), '#!/bin/sh\nblockMesh\n');
}
