// electron-builder.yml is validated against electron-builder's own configuration schema
// (app-builder-lib/scheme.json) with ajv, then checked for what matters here: fuses, native modules
// unpacked from the asar, targets per platform, icons in build/ that really are PNGs of the size the
// packagers need (decoded here, not just looked up by name), the command line launchers, and the deb:
// electron-builder's own deb target runs on a stand-in app folder (its `prepackaged` mode needs no
// Electron download) with only fpm replaced by a recorder, so the package's metadata, dependency list,
// install scripts and desktop entry are the ones electron-builder computes from our configuration.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { inflateSync } from 'node:zlib';
import Ajv from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_USER_MODEL_ID, ELECTRON_BUILD_FOLDER, TRAY_ICON_STATES, trayIconFile } from '../../src-main/node/shell-policy';

const root = join(import.meta.dirname, '..', '..');
const require = createRequire(import.meta.url);
// js-yaml comes with electron-builder (hoisted; it ships no types of its own).
const yaml = require('js-yaml') as { load(text: string): unknown };
const schema = JSON.parse(readFileSync(require.resolve('app-builder-lib/scheme.json'), 'utf8')) as object;

type Config = Record<string, unknown> & {
  electronFuses: Record<string, boolean>;
  asarUnpack: string[];
  files: string[];
  extraResources: { from: string; to: string }[];
  linux: { target: string[]; icon: string; executableName: string; maintainer: string; extraResources: { from: string; to: string }[] };
  mac: { target: string[]; icon: string; extraResources: { from: string; to: string }[] };
  win: { target: string[]; icon: string; extraResources: { from: string; to: string }[] };
  deb: Record<string, unknown>;
  appId: string;
  productName: string;
  npmRebuild: boolean;
};

const config = yaml.load(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as Config;

let compiled: ReturnType<Ajv['compile']> | null = null;
/** Compiling the big schema takes seconds: once per file. */
function validator(): ReturnType<Ajv['compile']> {
  compiled ??= new Ajv({ allErrors: true, strict: false }).compile(schema);
  return compiled;
}

/** Width, height and the share of non-transparent pixels of an RGBA PNG (filter type 0 rows, as generated). */
function decodePng(path: string): { width: number; height: number; opaqueShare: number; onlyBlack: boolean } {
  const buf = readFileSync(path);
  expect(buf.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  let off = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  while (off < buf.length) {
    const len = buf.readUInt32BE(off);
    const type = buf.toString('ascii', off + 4, off + 8);
    const data = buf.subarray(off + 8, off + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect([data[8], data[9]]).toEqual([8, 6]);
    }
    if (type === 'IDAT') idat.push(data);
    off += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  expect(raw.length).toBe(height * (width * 4 + 1));
  let opaque = 0;
  let onlyBlack = true;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * (width * 4 + 1) + 1 + x * 4;
      if ((raw[i + 3] ?? 0) === 0) continue;
      opaque++;
      if (raw[i] !== 0 || raw[i + 1] !== 0 || raw[i + 2] !== 0) onlyBlack = false;
    }
  }
  return { width, height, opaqueShare: opaque / (width * height), onlyBlack };
}

describe('electron-builder.yml', () => {
  it('is valid against electron-builder\'s own schema', () => {
    const validate = validator();
    const ok = validate(config);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the schema check can fail (an unknown key and a wrong fuse type are refused)', () => {
    const validate = validator();
    expect(validate({ ...config, bogusOption: true })).toBe(false);
    expect(validate({ ...config, electronFuses: { ...config.electronFuses, runAsNode: 'no' } })).toBe(false);
  });

  it('flips the fuses, keeping run-as-node for the installed command line', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
    });
  });

  it('unpacks the native modules from the asar and rebuilds them for Electron', () => {
    expect(config.asarUnpack).toEqual(expect.arrayContaining(['node_modules/keytar/**', 'node_modules/better-sqlite3/**']));
    expect(config.npmRebuild).toBe(true);
  });

  it('packages the bundles and builds AppImage + deb, dmg, nsis', () => {
    expect(config.appId).toMatch(/^[a-z0-9.-]+$/);
    expect(config.productName).toBe('cloudHPC Sync');
    expect(config.files).toContain('out/**');
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string };
    expect(pkg.main.startsWith('out/')).toBe(true);
    expect(config.linux.target).toEqual(['deb', 'AppImage']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.win.target).toEqual(['nsis']);
  });

  it('app icons in build/ are real PNGs of 512 and 256 px', () => {
    for (const icon of [config.mac.icon, config.win.icon]) expect(decodePng(join(root, icon))).toMatchObject({ width: 512, height: 512 });
    expect(config.linux.icon).toBe('build/icons');
    expect(decodePng(join(root, 'build/icons/512x512.png'))).toMatchObject({ width: 512, height: 512 });
    const small = decodePng(join(root, 'build/icons/256x256.png'));
    expect(small).toMatchObject({ width: 256, height: 256 });
    expect(small.opaqueShare).toBeGreaterThan(0.5);
  });

  it('ships a tray icon per state (1x and 2x) as resources, where the shell looks for them', () => {
    expect(config.extraResources).toEqual(expect.arrayContaining([{ from: 'build/tray', to: 'tray' }, { from: 'build/icons', to: 'icons' }]));
    for (const state of TRAY_ICON_STATES) {
      const rel = trayIconFile(state, 'linux');
      const one = decodePng(join(root, 'build', rel));
      expect(one).toMatchObject({ width: 32, height: 32 });
      expect(one.opaqueShare).toBeGreaterThan(0.2);
      expect(existsSync(join(root, 'build', rel.replace('.png', '@2x.png')))).toBe(true);
      expect(decodePng(join(root, 'build', rel.replace('.png', '@2x.png')))).toMatchObject({ width: 64, height: 64 });
    }
  });

  it('macOS tray icons are 16 pt template images (black and alpha only, named *Template, with @2x)', () => {
    for (const state of TRAY_ICON_STATES) {
      const rel = trayIconFile(state, 'darwin');
      expect(rel).toMatch(/^tray\/mac\/[a-z]+Template\.png$/);
      const one = decodePng(join(root, 'build', rel));
      expect(one).toMatchObject({ width: 16, height: 16, onlyBlack: true });
      expect(one.opaqueShare).toBeGreaterThan(0.2);
      expect(decodePng(join(root, 'build', rel.replace('.png', '@2x.png')))).toMatchObject({ width: 32, height: 32, onlyBlack: true });
    }
    // The coloured icons are not templates: the check can fail.
    expect(decodePng(join(root, 'build', trayIconFile('syncing', 'linux'))).onlyBlack).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// The deb as electron-builder makes it.

interface FpmRun {
  target: string;
  args: string[];
  depends: string[];
  recommends: string[];
  afterInstall: string;
  afterRemove: string;
  desktopEntry: string;
  desktopFile: string;
}

interface FpmTargetClass {
  prototype: { executeFpm(target: string, conf: { args: string[]; customDepends?: string[]; customRecommends?: string[] }): Promise<void>; getDefaultDepends(target: string): string[] };
}
const FpmTarget = (require('app-builder-lib/out/targets/FpmTarget') as { default: FpmTargetClass }).default;
const builder = require('electron-builder') as {
  build(o: Record<string, unknown>): Promise<string[]>;
  Platform: { LINUX: { createTarget(t: string[], ...arch: number[]): unknown } };
  Arch: { x64: number };
};

/** A copy of what packaging reads (package.json, electron-builder.yml, build/), without .git or node_modules. */
function projectCopy(editPackage: (pkg: Record<string, unknown>) => void = () => {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'builder-project-'));
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
  editPackage(pkg);
  writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
  cpSync(join(root, 'electron-builder.yml'), join(dir, 'electron-builder.yml'));
  cpSync(join(root, 'build'), join(dir, 'build'), { recursive: true });
  return dir;
}

/** Runs electron-builder's deb target on a stand-in app folder; fpm is replaced by a recorder. */
async function buildDeb(projectDir: string): Promise<{ run: FpmRun; resources: string[] }> {
  const app = join(projectDir, 'linux-unpacked');
  mkdirSync(join(app, 'resources'), { recursive: true });
  writeFileSync(join(app, 'cloudhpc-sync'), '');
  const runs: FpmRun[] = [];
  const original = FpmTarget.prototype.executeFpm;
  FpmTarget.prototype.executeFpm = async (target, conf) => {
    const fileAfter = (flag: string): string => readFileSync(conf.args[conf.args.indexOf(flag) + 1] as string, 'utf8');
    const desktop = conf.args.find((a) => a.endsWith('.desktop') && a.includes('=/usr/share/applications/')) as string;
    runs.push({
      target, args: conf.args, depends: conf.customDepends ?? [], recommends: conf.customRecommends ?? [],
      afterInstall: fileAfter('--after-install'), afterRemove: fileAfter('--after-remove'),
      desktopEntry: readFileSync(desktop.split('=')[0] as string, 'utf8'), desktopFile: desktop.split('=')[1] as string,
    });
  };
  try {
    await builder.build({
      projectDir,
      targets: builder.Platform.LINUX.createTarget(['deb'], builder.Arch.x64),
      prepackaged: app,
      publish: 'never',
      config: join(projectDir, 'electron-builder.yml'),
    });
  } finally {
    FpmTarget.prototype.executeFpm = original;
  }
  expect(runs).toHaveLength(1);
  return { run: runs[0] as FpmRun, resources: readdirSorted(join(app, 'resources')) };
}

function readdirSorted(dir: string): string[] {
  return (require('node:fs') as typeof import('node:fs')).readdirSync(dir).sort();
}

const argAfter = (args: string[], flag: string): string | undefined => args[args.indexOf(flag) + 1];

describe('the deb, as electron-builder builds it from our configuration', () => {
  let project: string;
  let deb: { run: FpmRun; resources: string[] };
  beforeAll(async () => {
    project = projectCopy();
    deb = await buildDeb(project);
  }, 120_000);
  afterAll(() => { rmSync(project, { recursive: true, force: true }); });

  it('builds with no git remote: homepage, maintainer and vendor come from package.json and the config', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { homepage: string; author: { name: string; email: string }; repository: { url: string } };
    expect(existsSync(join(project, '.git'))).toBe(false);
    expect(pkg.homepage).toMatch(/^https:\/\//);
    expect(pkg.author.email).toMatch(/^[^@\s]+@[^@\s]+\.[a-z]+$/);
    expect(pkg.repository.url).toMatch(/^git\+https:\/\//);
    expect(argAfter(deb.run.args, '--url')).toBe(pkg.homepage);
    expect(argAfter(deb.run.args, '--maintainer')).toBe(config.linux.maintainer);
    expect(config.linux.maintainer).toBe(`${pkg.author.name} <${pkg.author.email}>`);
    expect(argAfter(deb.run.args, '--name')).toBe('cloudhpc-sync');
  });

  it('without a homepage (or a GitHub repository to derive one) electron-builder refuses the deb: the check is live', async () => {
    const bare = projectCopy((pkg) => { delete pkg.homepage; delete pkg.repository; });
    try {
      await expect(buildDeb(bare)).rejects.toThrow(/Please specify project homepage/);
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  }, 120_000);

  it('keeps every one of electron-builder\'s default dependencies (and libsecret for keytar)', () => {
    const defaults = FpmTarget.prototype.getDefaultDepends('deb');
    expect(defaults).toEqual(expect.arrayContaining(['libgtk-3-0', 'libnss3', 'libxss1', 'xdg-utils', 'libatspi2.0-0', 'libuuid1']));
    expect(deb.run.depends).toEqual(expect.arrayContaining(defaults));
    expect(deb.run.depends).toContain('libsecret-1-0');
    expect(deb.run.recommends).toContain('libappindicator3-1');
    expect(config.deb.depends).toBeUndefined();
  });

  it('installs the AppArmor profile and links /usr/bin/cloudhpc-sync to the command line launcher', () => {
    expect(deb.resources).toContain('apparmor-profile');
    const launcher = "'/opt/cloudHPC Sync/resources/bin/cloudhpc-sync'";
    expect(deb.run.afterInstall).toContain(`update-alternatives --install '/usr/bin/cloudhpc-sync' 'cloudhpc-sync' ${launcher} 100 || ln -sf ${launcher} '/usr/bin/cloudhpc-sync'`);
    expect(deb.run.afterInstall).toContain('apparmor_parser --replace');
    expect(deb.run.afterRemove).toContain(`update-alternatives --remove 'cloudhpc-sync' ${launcher}`);
    for (const script of [deb.run.afterInstall, deb.run.afterRemove]) {
      expect(spawnSync('bash', ['-n'], { input: script }).status).toBe(0);
    }
  });

  it('our install scripts are electron-builder\'s templates with only the link target changed', () => {
    const templates = join(dirname(require.resolve('app-builder-lib/package.json')), 'templates', 'linux');
    for (const name of ['after-install.tpl', 'after-remove.tpl']) {
      const upstream = readFileSync(join(templates, name), 'utf8').replaceAll("'/opt/${sanitizedProductName}/${executable}'", "'/opt/${sanitizedProductName}/resources/bin/${executable}'");
      // Ours = the shebang, our own comment block, then upstream's text unchanged.
      const lines = readFileSync(join(root, 'build', 'linux', name), 'utf8').split('\n');
      let end = 1;
      while (lines[end]?.startsWith('# ')) end++;
      expect(end).toBeGreaterThan(1);
      const ours = [lines[0], ...lines.slice(end)].join('\n');
      expect(ours).toBe(upstream);
    }
  });

  it('the desktop entry starts the app by its full path and matches Electron\'s app_id (desktopName)', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { desktopName: string };
    expect(deb.run.desktopFile).toBe(`/usr/share/applications/${pkg.desktopName}`);
    expect(deb.run.desktopEntry).toContain('Exec="/opt/cloudHPC Sync/cloudhpc-sync" %U');
    expect(deb.run.desktopEntry).toContain(`StartupWMClass=${pkg.desktopName.replace(/\.desktop$/, '')}`);
  });
});

describe('packaging details', () => {
  it('the Windows AppUserModelID the shell sets is the appId the installer gives its shortcut', () => {
    expect(APP_USER_MODEL_ID).toBe(config.appId);
  });

  it('ships the command line launcher per platform, pointing at the binary each platform installs', () => {
    expect(config.linux.extraResources).toEqual([{ from: 'build/bin/cloudhpc-sync', to: 'bin/cloudhpc-sync' }]);
    expect(config.mac.extraResources).toEqual([{ from: 'build/bin/cloudhpc-sync', to: 'bin/cloudhpc-sync' }]);
    expect(config.win.extraResources).toEqual([{ from: 'build/bin/cloudhpc-sync.cmd', to: 'bin/cloudhpc-sync.cmd' }]);
    const sh = readFileSync(join(root, 'build/bin/cloudhpc-sync'), 'utf8');
    expect(statSync(join(root, 'build/bin/cloudhpc-sync')).mode & 0o111).toBe(0o111);
    expect(sh).toContain(`"$app/${config.linux.executableName}"`.replace(/"/g, '').replace('$app', '$app'));
    expect(sh).toContain(`$app/MacOS/${config.productName}`);
    expect(sh).toContain('ELECTRON_RUN_AS_NODE=1 exec "$electron" "$resources/app.asar/out/cli/cloudhpc-sync.cjs" "$@"');
    const cmd = readFileSync(join(root, 'build/bin/cloudhpc-sync.cmd'), 'utf8');
    expect(cmd).toContain(`"%~dp0..\\..\\${config.productName}.exe" "%~dp0..\\app.asar\\out\\cli\\cloudhpc-sync.cjs" %*`);
    expect(cmd).toMatch(/\r\n/);
  });

  it('leaves the development Electron build of better-sqlite3 out of the package (electron-builder\'s own node_modules filter)', () => {
    const { getNodeModuleFileMatcher } = require('app-builder-lib/out/fileMatcher') as {
      getNodeModuleFileMatcher(appDir: string, dest: string, expand: (s: string) => string, platform: object, packager: object): { createFilter(): (file: string, stat: object) => boolean };
    };
    const appDir = '/app';
    const filter = getNodeModuleFileMatcher(appDir, '/out', (s) => s, {}, { config, debugLogger: { isEnabled: false } }).createFilter();
    // NodeModuleCopyHelper matches a module's files by their path in the package (stat.moduleFullFilePath).
    const keeps = (rel: string): boolean => filter(join(appDir, rel), { isDirectory: () => false, moduleFullFilePath: rel });
    expect(keeps(`node_modules/better-sqlite3/${ELECTRON_BUILD_FOLDER}/node-v145-linux-x64/better_sqlite3.node`)).toBe(false);
    expect(keeps('node_modules/better-sqlite3/build/Release/better_sqlite3.node')).toBe(true);
    expect(keeps('node_modules/better-sqlite3/lib/index.js')).toBe(true);
  });

  it('package.json: tsx only for development; the electron install script allowed (it honours ELECTRON_SKIP_BINARY_DOWNLOAD)', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string>; allowScripts: Record<string, boolean>; scripts: Record<string, string> };
    expect(pkg.dependencies.tsx).toBeUndefined();
    expect(pkg.devDependencies.tsx).toBeDefined();
    expect(pkg.allowScripts.electron).toBe(true);
    expect(readFileSync(join(root, 'scripts/install.sh'), 'utf8')).toMatch(/^export ELECTRON_SKIP_BINARY_DOWNLOAD=1$/m);
    expect(readFileSync(require.resolve('electron/install.js'), 'utf8')).toMatch(/if \(process\.env\.ELECTRON_SKIP_BINARY_DOWNLOAD\) \{\s*process\.exit\(0\);/);
    expect(pkg.scripts.build).toContain('scripts/build-cli.mjs');
  });
});
