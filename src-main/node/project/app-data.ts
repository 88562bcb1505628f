// Where the app keeps its own data (project registry, per-project sync indexes): the platform's
// usual place, or CLOUDHPC_SYNC_HOME when set (tests and scripts isolate themselves with it).
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export function appDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home: string = homedir()): string {
  const override = env.CLOUDHPC_SYNC_HOME;
  if (override && override.trim() !== '') return resolve(override);
  if (platform === 'win32') return join(env.APPDATA || join(home, 'AppData', 'Roaming'), 'cloudHPC Sync');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'cloudHPC Sync');
  const xdg = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith('/') ? env.XDG_CONFIG_HOME : join(home, '.config');
  return join(xdg, 'cloudhpc-sync');
}
