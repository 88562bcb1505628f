// `cloudhpc-sync serve [--port N]`: the app without Electron. The same core and the same UI, in a
// browser, on 127.0.0.1 only; prints the URL (with its access token) once.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AppCore } from '../../node/app/app-core';
import { startHeadlessServer } from '../../node/headless/server';

export const serveUsage = 'cloudhpc-sync serve [--port N]   run the app headless: UI in a browser on 127.0.0.1';

export function rendererDir(): string {
  return fileURLToPath(new URL('../../../out/renderer', import.meta.url));
}

export function parseServeArgs(argv: string[]): { port: number } | { error: string } {
  let port = 0;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    const v = a.startsWith('--port=') ? a.slice(7) : a === '--port' ? argv[++i] : undefined;
    if (v === undefined) return { error: `Unknown option ${a}. Usage: ${serveUsage}` };
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || n > 65535) return { error: `--port needs a number from 0 to 65535 (0 = any free port), not "${v}".` };
    port = n;
  }
  return { port };
}

/** Runs until SIGINT/SIGTERM; resolves with the exit code. */
export async function runServe(argv: string[]): Promise<number> {
  const args = parseServeArgs(argv);
  if ('error' in args) {
    console.error(args.error);
    return 2;
  }
  const dir = rendererDir();
  if (!existsSync(dir)) {
    console.error(`The user interface is not built (${dir} is missing): run \`npm run build\` first.`);
    return 1;
  }
  const core = await AppCore.create({ transport: 'headless', log: (level, msg) => { if (level !== 'debug') console.error(`[${level}] ${msg}`); } });
  await core.start();
  const server = await startHeadlessServer({ core, rendererDir: dir, port: args.port, log: (m) => console.error(m) });
  console.log(`cloudHPC Sync is running headless. Open this address in a browser on this machine (it carries a private access token):\n${server.url}`);
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  console.error('Stopping…');
  await server.close();
  await core.stop();
  return 0;
}
