#!/usr/bin/env node
// `npm run dist [-- electron-builder options]`: builds (npm run build: the app, the CLI and emulator
// bundles) and packages with electron-builder for this platform (deb + AppImage on Linux, dmg, nsis).
// electron-builder rebuilds native modules for Electron IN PLACE in the project's node_modules
// (app-builder-lib/out/util/yarn.js: @electron/rebuild with buildPath = appDir), which would leave the
// Node CLI and the tests with an addon Node refuses (better-sqlite3 is not N-API). So the Node build
// is copied aside first and put back afterwards, whether packaging succeeded, failed or was interrupted.
// electron-builder downloads Electron and its packaging tools: this runs where the network allows.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Runs fn, then puts `file` back as it was before (if fn changed or removed it). */
export async function keepingFile(file, fn) {
  if (!existsSync(file)) return fn();
  const aside = mkdtempSync(join(tmpdir(), 'dist-keep-'));
  const saved = join(aside, 'saved');
  copyFileSync(file, saved);
  try {
    return await fn();
  } finally {
    if (!existsSync(file) || !readFileSync(file).equals(readFileSync(saved))) {
      const tmp = `${file}.${process.pid}.restore`;
      copyFileSync(saved, tmp);
      renameSync(tmp, file);
      console.log(`restored the Node build of ${file}`);
    }
    rmSync(aside, { recursive: true, force: true });
  }
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  return r.status ?? 1;
}

async function main() {
  if (run('npm', ['run', '--silent', 'build']) !== 0) process.exit(1);
  const nodeBuild = join(dirname(createRequire(join(root, 'package.json')).resolve('better-sqlite3/package.json')), 'build', 'Release', 'better_sqlite3.node');
  // Ctrl-C reaches electron-builder (same process group); this process stays to restore the file.
  const ignore = () => {};
  process.on('SIGINT', ignore);
  process.on('SIGTERM', ignore);
  const code = await keepingFile(nodeBuild, () => run(join(root, 'node_modules', '.bin', 'electron-builder'), ['--config', 'electron-builder.yml', ...process.argv.slice(2)]));
  process.exit(code);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
