// Start at login on Linux: a real XDG autostart file written and removed in a temporary config folder.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { autostartFile, setLinuxAutostart } from '../../src-main/node/shell-policy';

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'autostart-')); });
afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

describe('Linux autostart', () => {
  it('writes a desktop entry that starts the app hidden, and removes it', () => {
    const file = autostartFile({ XDG_CONFIG_HOME: join(dir, 'cfg') });
    expect(file).toBe(join(dir, 'cfg', 'autostart', 'cloudhpc-sync.desktop'));
    setLinuxAutostart(true, ['/opt/cloudHPC Sync/cloudhpc-sync'], file);
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^\[Desktop Entry\]\nType=Application\n/);
    expect(text).toContain('Exec="/opt/cloudHPC Sync/cloudhpc-sync" --hidden\n');
    setLinuxAutostart(false, [], file);
    expect(existsSync(file)).toBe(false);
    setLinuxAutostart(false, [], file); // removing twice is fine
  });

  it('a relative XDG_CONFIG_HOME is ignored (spec), falling back to ~/.config', () => {
    expect(autostartFile({ XDG_CONFIG_HOME: 'relative' }, '/home/u')).toBe('/home/u/.config/autostart/cloudhpc-sync.desktop');
  });

  it('quotes characters the Exec key treats specially', () => {
    const file = join(dir, 'a.desktop');
    setLinuxAutostart(true, ['/apps/my "odd" $app'], file);
    expect(readFileSync(file, 'utf8')).toContain('Exec="/apps/my \\"odd\\" \\$app" --hidden');
  });
});
