// One index, two runtimes: which better-sqlite3 binary each runtime loads (shell-policy/native-binding.ts),
// as a pure rule, then for real: the bundled CLI in a source checkout and in an installed layout, run
// by a node that reports process.versions.electron as Electron does (its ABI stays this node's, so a
// copy of npm's build stands in for the Electron build), pushing to the emulator. Plus the pure parts of
// the rebuild step (scripts/electron-native.ts), which needs the network and runs only on contributors' machines.
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index';
import { rebuildSteps, toolEnv, verdictOnBuilt } from '../../scripts/electron-native';
import { abiFromLoadError, chooseSqliteBinding, electronBindingFile, insideAsar, REBUILD_COMMAND, sqliteNativeBinding, type BindingFacts } from '../../src-main/node/shell-policy';
import { makeLayout, run, writeCase, type Layout } from './electron-install-layout';

const electron41: BindingFacts = { electron: '41.10.0', modules: '145', platform: 'linux', arch: 'x64', packageDir: '/home/dev/cloudhpc-sync/node_modules/better-sqlite3', electronBuildExists: true };

describe('chooseSqliteBinding', () => {
  it('Node (the CLI, serve, the tests) loads npm\'s build', () => {
    expect(chooseSqliteBinding({ ...electron41, electron: null, modules: '115' })).toEqual({ kind: 'default' });
  });

  it('Electron in a source tree loads the Electron build beside it, named by ABI, platform and arch', () => {
    expect(chooseSqliteBinding(electron41)).toEqual({ kind: 'file', path: '/home/dev/cloudhpc-sync/node_modules/better-sqlite3/build-electron/node-v145-linux-x64/better_sqlite3.node' });
    expect(electronBindingFile('/p', { modules: '145', platform: 'darwin', arch: 'arm64' })).toBe('/p/build-electron/node-v145-darwin-arm64/better_sqlite3.node');
  });

  it('Electron in a source tree without that build: a message that says what to run', () => {
    const c = chooseSqliteBinding({ ...electron41, electronBuildExists: false });
    expect(c.kind).toBe('missing');
    if (c.kind === 'missing') expect(c.message).toMatch(new RegExp(`Electron 41\\.10\\.0.*NODE_MODULE_VERSION 145.*\`${REBUILD_COMMAND}\``));
  });

  it('a packaged app (the package inside app.asar, rebuilt for Electron by electron-builder) loads the default build, also run as Node', () => {
    for (const packageDir of ['/opt/cloudHPC Sync/resources/app.asar/node_modules/better-sqlite3', 'C:\\Program Files\\cloudHPC Sync\\resources\\app.asar\\node_modules\\better-sqlite3']) {
      expect(insideAsar(packageDir)).toBe(true);
      expect(chooseSqliteBinding({ ...electron41, packageDir, electronBuildExists: false })).toEqual({ kind: 'default' });
    }
    expect(insideAsar('/home/dev/app.asarx/node_modules/better-sqlite3')).toBe(false);
  });

  it('this process (Node) passes no binding, so better-sqlite3 uses its own', () => {
    expect(sqliteNativeBinding()).toBeUndefined();
  });

  it('reads the ABI a refused addon was built for from Node\'s message (src/node_binding.cc)', () => {
    const message = "The module '/x/better_sqlite3.node'\nwas compiled against a different Node.js version using\nNODE_MODULE_VERSION 145. This version of Node.js requires\nNODE_MODULE_VERSION 115. Please try re-compiling or re-installing\nthe module (for instance, using `npm rebuild` or `npm install`).";
    expect(abiFromLoadError(message)).toBe(145);
    expect(abiFromLoadError('Cannot find module')).toBeNull();
  });
});

describe('the rebuild step (scripts/electron-native.ts), its pure parts', () => {
  const facts = { electronVersion: '41.10.0', abi: '145', platform: 'linux', arch: 'x64', workDir: '/tmp/w/better-sqlite3', node: '/usr/bin/node', prebuildInstall: '/p/prebuild-install/bin.js', nodeGyp: '/p/node-gyp/bin/node-gyp.js' };

  it('tries better-sqlite3\'s prebuilt Electron binary first, then a compile against Electron\'s headers', () => {
    expect(rebuildSteps(facts)).toEqual([
      { name: 'prebuilt', command: '/usr/bin/node', cwd: '/tmp/w/better-sqlite3', args: ['/p/prebuild-install/bin.js', '--runtime=electron', '--target=41.10.0', '--arch=x64', '--platform=linux', '--tag-prefix=v'] },
      { name: 'compile', command: '/usr/bin/node', cwd: '/tmp/w/better-sqlite3', args: ['/p/node-gyp/bin/node-gyp.js', 'rebuild', '--release', '--target=41.10.0', '--arch=x64', '--dist-url=https://electronjs.org/headers'] },
    ]);
    expect(rebuildSteps({ ...facts, prebuildInstall: null }).map((s) => s.name)).toEqual(['compile']);
  });

  it('drops npm settings that would build for Node instead (a global nodedir, as on our CI machines)', () => {
    const env = toolEnv({ PATH: '/bin', npm_config_nodedir: '/usr', npm_config_target: '20.0.0', npm_config_runtime: 'node', npm_config_disturl: 'x', npm_config_cache: '/c' });
    expect(env).toEqual({ PATH: '/bin', npm_config_cache: '/c' });
  });

  it('installs only a file that plain Node refuses for Electron\'s ABI', () => {
    const refusal = 'Error: The module ...\nwas compiled against a different Node.js version using\nNODE_MODULE_VERSION 145. This version of Node.js requires\nNODE_MODULE_VERSION 115.';
    expect(verdictOnBuilt(false, refusal, '145')).toEqual({ ok: true });
    expect(verdictOnBuilt(true, '', '145')).toMatchObject({ ok: false, message: expect.stringMatching(/built for Node/) });
    expect(verdictOnBuilt(false, refusal.replace('145', '140'), '145')).toMatchObject({ ok: false, message: expect.stringMatching(/it is for 140/) });
  });
});

describe('the bundled CLI where the runtime reports Electron', () => {
  const KEY = 'native-binding-key-0123456789';
  let emu: Emulator;
  let checkout: Layout;
  let installed: Layout;
  beforeAll(async () => {
    emu = await startEmulator({ keys: [{ key: KEY, hourlyLimit: 0 }] });
    checkout = await makeLayout({ installed: false, pretendElectron: '41.10.0' });
    installed = await makeLayout({ installed: true, pretendElectron: '41.10.0' });
  }, 120_000);
  afterAll(async () => {
    await emu?.stop();
    checkout?.close();
    installed?.close();
  });

  const push = async (layout: Layout, name: string, viaLauncher = false) => {
    const dir = join(layout.base, 'cases', name);
    writeCase(dir);
    const env = { PATH: '/usr/bin:/bin', HOME: layout.base, TMPDIR: process.env.TMPDIR ?? '/tmp', CLOUDHPC_API_KEY: KEY, CLOUDHPC_API_URL: emu.url, CLOUDHPC_SYNC_HOME: join(layout.base, 'appdata') };
    return viaLauncher ? run(layout.onPath, ['push', dir, '--json'], env) : run(process.execPath, [...layout.nodeArgs, layout.bundle, 'push', dir, '--json'], env);
  };

  it('a source checkout without the Electron build refuses with the command to run, and opens no index', async () => {
    const r = await push(checkout, 'first');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(new RegExp(`Electron 41\\.10\\.0[\\s\\S]*Run \`${REBUILD_COMMAND}\``));
    expect(await emu.files(KEY, 'first')).toEqual({});
  }, 60_000);

  it('with the Electron build in place (and npm\'s build gone) the index opens from it and the push completes', async () => {
    const pkg = checkout.packageDir('better-sqlite3');
    const target = electronBindingFile(pkg, { modules: process.versions.modules, platform: process.platform, arch: process.arch });
    mkdirSync(join(target, '..'), { recursive: true });
    cpSync(join(pkg, 'build', 'Release', 'better_sqlite3.node'), target);
    rmSync(join(pkg, 'build'), { recursive: true, force: true });
    const r = await push(checkout, 'second');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim().split('\n').pop() as string)).toMatchObject({ storageFolder: 'second', pushed: true });
  }, 60_000);

  it('an installed app (inside app.asar) uses the build electron-builder made, run as Node by its launcher', async () => {
    const r = await push(installed, 'third', true);
    expect(r.code, r.stderr).toBe(0);
    expect(Object.keys(await emu.files(KEY, 'third'))).toContain('upload.tar.gz');
  }, 60_000);
});
