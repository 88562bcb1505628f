// cloudhpc-sync serve [--port N]: the app without Electron. The same core and the same UI, in a
// browser, on 127.0.0.1 only; prints the URL (with its private access token) once.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../args';
import type { Command } from '../command';
import { EXIT } from '../exit-codes';
import { AppCore } from '../../node/app/app-core';
import { startHeadlessServer } from '../../node/headless/server';

export function rendererDir(): string {
  return fileURLToPath(new URL('../../../out/renderer', import.meta.url));
}

export function parsePort(v: string | true | undefined): number {
  if (v === undefined) return 0;
  const n = Number(v);
  if (v === true || !Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--port needs a number from 0 to 65535 (0 = any free port), not "${String(v)}".`);
  return n;
}

export const serve: Command = {
  name: 'serve',
  summary: 'Run the app headless: the UI in a browser on 127.0.0.1, sync and tracking in this process',
  usage: `cloudhpc-sync serve [--port N]
  Serves the app's UI on http://127.0.0.1:N (default: a free port) and prints the address with a
  private access token: open it in a browser on this machine. Projects are watched and simulations
  tracked until Ctrl-C. Needs the built UI (npm run build).`,
  examples: [
    'cloudhpc-sync serve               # prints the URL to open in a browser on this machine',
    'cloudhpc-sync serve --port 8765   # a fixed port (for an SSH tunnel)',
  ],
  valueFlags: ['port'],
  async run(args, ctx, signal) {
    const port = parsePort(args.flags.get('port'));
    const dir = rendererDir();
    if (!existsSync(dir)) {
      ctx.err(`The user interface is not built (${dir} is missing): run \`npm run build\` first.`);
      return EXIT.FAILURE;
    }
    const core = await AppCore.create({
      transport: 'headless',
      env: ctx.env,
      log: (level, m) => { if (level === 'warn' || level === 'error') ctx.err(`[${level}] ${m}`); },
    });
    try {
      await core.start();
      const server = await startHeadlessServer({ core, rendererDir: dir, port, log: (m) => ctx.err(m) });
      try {
        ctx.out(`cloudHPC Sync is running headless. Open this address in a browser on this machine (it carries a private access token):\n${server.url}\nCtrl-C stops.`);
        await new Promise<void>((resolve) => {
          if (signal.aborted) resolve();
          else signal.addEventListener('abort', () => resolve(), { once: true });
        });
        ctx.out('Stopping...');
      } finally {
        await server.close();
      }
    } finally {
      await core.stop();
    }
    return EXIT.OK;
  },
};
