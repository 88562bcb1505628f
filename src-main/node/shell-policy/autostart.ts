// "Start at login" on Linux, where Electron's setLoginItemSettings does nothing: an XDG autostart entry
// (~/.config/autostart/cloudhpc-sync.desktop) written or removed. For an AppImage the entry must start
// the AppImage file itself ($APPIMAGE), not the temporary mount the app runs from.
import { existsSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomicSync as writeFileAtomic } from '../project/atomic-write';
import { LOGIN_ARG } from './window-policy';

export function autostartFile(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  const config = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith('/') ? env.XDG_CONFIG_HOME : join(home, '.config');
  return join(config, 'autostart', 'cloudhpc-sync.desktop');
}

/** Quotes an Exec argument per the Desktop Entry specification. */
function execArg(arg: string): string {
  return /^[A-Za-z0-9_\-./:=+,@%]+$/.test(arg) ? arg : `"${arg.replace(/(["`$\\])/g, '\\$1')}"`;
}

export function autostartEntry(command: string[]): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=cloudHPC Sync',
    'Comment=Keep CFD/FEA case folders in sync with cloudHPC',
    `Exec=${[...command, LOGIN_ARG].map(execArg).join(' ')}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/** Writes or removes the entry; `command` is the executable (and, unpackaged, its app path). */
export function setLinuxAutostart(enabled: boolean, command: string[], file: string = autostartFile()): void {
  if (enabled) writeFileAtomic(file, autostartEntry(command), 0o644);
  else if (existsSync(file)) rmSync(file, { force: true });
}
