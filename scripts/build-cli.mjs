#!/usr/bin/env node
// Bundles the command line (with `serve`) and the emulator into single CommonJS files run by plain
// `node` (no tsx at run time), part of `npm run build`:
//   out/cli/cloudhpc-sync.cjs   the `cloudhpc-sync` command (bin/cloudhpc-sync.js; in the installed app,
//                               resources/bin/cloudhpc-sync runs it with the app's own Electron as Node)
//   out/emulator/cli.cjs        `npm run emulator`
// Every pure-JS dependency is bundled in; only the native addons (better-sqlite3, keytar) stay outside
// and are required from node_modules, as they must be built for the runtime that loads them.
// CommonJS, not ESM: Electron loads CommonJS from inside app.asar in every release, while ESM from asar
// has regressed before (electron#45896, electron#41241). `import.meta` does not exist in CommonJS, so
// each source module's `import.meta.url`/`dirname`/`filename` is rewritten to that module's own
// original location (computed from the bundle's place in out/): code that finds files relative to its
// source file (serve's `../../../out/renderer`) behaves as it does under tsx, in the repository and in
// the packaged app alike.
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Native addons (and ws's optional native helpers): required at run time, never bundled. */
export const NATIVE_EXTERNALS = ['better-sqlite3', 'keytar', '@parcel/watcher', 'bufferutil', 'utf-8-validate'];

export const BUNDLES = [
  { name: 'cli', outfile: 'out/cli/cloudhpc-sync.cjs', contents: "import { runCli } from './src-main/cli/main';\nrunCli();\n" },
  { name: 'emulator', outfile: 'out/emulator/cli.cjs', entry: 'emulator/cli.ts' },
];

const toPosix = (p) => p.split(sep).join('/');

/** esbuild plugin: `import.meta.*` in our own sources → the source module's location, from the bundle's. */
function sourceImportMeta(projectRoot) {
  return {
    name: 'source-import-meta',
    setup(b) {
      b.onLoad({ filter: /\.(ts|mts|js|mjs)$/ }, async (args) => {
        if (args.path.includes(`${sep}node_modules${sep}`) || !args.path.startsWith(projectRoot + sep)) return undefined;
        const text = await readFile(args.path, 'utf8');
        if (!text.includes('import.meta')) return undefined;
        const rel = JSON.stringify(toPosix(relative(projectRoot, args.path)));
        const contents = text
          .replaceAll('import.meta.url', `__sourceUrl(${rel})`)
          .replaceAll('import.meta.dirname', `__sourceDir(${rel})`)
          .replaceAll('import.meta.filename', `__sourceFile(${rel})`);
        return { contents, loader: args.path.endsWith('ts') ? 'ts' : 'js' };
      });
    },
  };
}

/** Builds every bundle into `outRoot` (the project root by default); returns the files written. */
export async function buildBundles({ projectRoot = root, outRoot = projectRoot } = {}) {
  const written = [];
  for (const b of BUNDLES) {
    const outfile = join(outRoot, b.outfile);
    // The project root as seen from the bundle at run time (the same relative layout when packaged).
    const up = toPosix(relative(dirname(join(projectRoot, b.outfile)), projectRoot)) || '.';
    const banner = [
      '"use strict";',
      `const __projectRoot = require("node:path").join(__dirname, ${JSON.stringify(up)});`,
      'const __sourceFile = (rel) => require("node:path").join(__projectRoot, rel);',
      'const __sourceDir = (rel) => require("node:path").dirname(__sourceFile(rel));',
      'const __sourceUrl = (rel) => require("node:url").pathToFileURL(__sourceFile(rel)).href;',
    ].join('\n');
    const result = await build({
      ...(b.entry ? { entryPoints: [join(projectRoot, b.entry)] } : { stdin: { contents: b.contents, resolveDir: projectRoot, sourcefile: `${b.name}-entry.ts`, loader: 'ts' } }),
      outfile,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      external: NATIVE_EXTERNALS,
      // `import('keytar')` becomes a require: CommonJS loading, also for the lazily loaded addon.
      supported: { 'dynamic-import': false },
      banner: { js: banner },
      plugins: [sourceImportMeta(projectRoot)],
      logLevel: 'silent',
      legalComments: 'none',
    });
    // A dependency's own `import.meta` would silently be {} in CommonJS: refuse rather than ship it.
    const metaWarnings = result.warnings.filter((w) => /import\.meta/.test(w.text));
    if (metaWarnings.length > 0) {
      throw new Error(`${b.outfile}: import.meta in a bundled dependency (${metaWarnings.map((w) => w.location?.file ?? '?').join(', ')}); bundle it as ESM or keep it external`);
    }
    written.push(outfile);
  }
  return written;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const files = await buildBundles();
  for (const f of files) console.log(`built ${relative(root, f)}`);
}
