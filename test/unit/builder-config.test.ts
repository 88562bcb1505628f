// electron-builder.yml is validated against electron-builder's own configuration schema
// (app-builder-lib/scheme.json) with ajv, then checked for what matters here: fuses, native modules
// unpacked from the asar, targets per platform, and icons in build/ that really are PNGs of the size
// the packagers need (decoded here, not just looked up by name).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { TRAY_ICON_STATES, trayIconFile } from '../../src-main/node/shell-policy';

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
  linux: { target: string[]; icon: string };
  mac: { target: string[]; icon: string };
  win: { target: string[]; icon: string };
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
function decodePng(path: string): { width: number; height: number; opaqueShare: number } {
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
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) if ((raw[y * (width * 4 + 1) + 1 + x * 4 + 3] ?? 0) > 0) opaque++;
  }
  return { width, height, opaqueShare: opaque / (width * height) };
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

  it('flips the fuses', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
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
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
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
      const rel = trayIconFile(state);
      const one = decodePng(join(root, 'build', rel));
      expect(one).toMatchObject({ width: 32, height: 32 });
      expect(one.opaqueShare).toBeGreaterThan(0.2);
      expect(existsSync(join(root, 'build', rel.replace('.png', '@2x.png')))).toBe(true);
      expect(decodePng(join(root, 'build', rel.replace('.png', '@2x.png')))).toMatchObject({ width: 64, height: 64 });
    }
  });
});
