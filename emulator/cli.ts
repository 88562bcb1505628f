// `npm run emulator -- --port <n> --api-key <key> [--time-scale <x>] [--rate-limit <calls per hour>]
//  [--data <dir>] [--control] [--host <addr>] [--profile evidence|classic]`: runs the emulator in the foreground.
import { parseArgs } from 'node:util';
import { startEmulator } from './index';

const usage = 'usage: npm run emulator -- --port <n> --api-key <key> [--time-scale <x>] [--rate-limit <calls per hour>] [--daily-limit <calls per day>] [--data <dir>] [--control] [--host <addr>] [--profile evidence|classic]';

function fail(msg: string): never {
  process.stderr.write(`cloudHPC emulator: ${msg}\n${usage}\n`);
  process.exit(2);
}

function num(name: string, raw: string | undefined, dflt: number): number {
  if (raw === undefined) return dflt;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) fail(`--${name} must be a number >= 0, got "${raw}"`);
  return n;
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'api-key': { type: 'string', multiple: true },
        'time-scale': { type: 'string' },
        'rate-limit': { type: 'string' },
        'daily-limit': { type: 'string' },
        data: { type: 'string' },
        control: { type: 'boolean' },
        profile: { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (e) {
    fail((e as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  const keys = values['api-key'] ?? [];
  if (keys.length === 0) fail('--api-key is required');
  const hourlyLimit = num('rate-limit', values['rate-limit'], 500);
  const dailyLimit = num('daily-limit', values['daily-limit'], 0);
  const profile = values.profile ?? 'evidence';
  if (profile !== 'evidence' && profile !== 'classic') fail(`--profile must be evidence or classic, got "${profile}"`);
  const emu = await startEmulator({
    port: num('port', values.port, 0),
    host: values.host ?? '127.0.0.1',
    keys: keys.map((key) => ({ key, hourlyLimit, dailyLimit })),
    timeScale: num('time-scale', values['time-scale'], 1),
    dataDir: values.data,
    control: values.control ?? false,
    profile,
  }).catch((e: Error) => fail(e.message));
  process.stdout.write(`cloudHPC emulator listening on ${emu.url}\n`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void emu.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
