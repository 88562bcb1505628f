// Will Chromium's sandbox let an unpackaged Electron (node_modules/electron/dist) start on this Linux
// machine? It needs unprivileged user namespaces, or else the SUID helper chrome-sandbox owned by root
// with mode 4755. Ubuntu 23.10+ restricts user namespaces through AppArmor
// (kernel.apparmor_restrict_unprivileged_userns=1) for binaries without a profile, so Electron aborts
// with "The SUID sandbox helper binary was found, but is not configured correctly" (electron#42510,
// electron-builder#8440). The installed deb brings an AppArmor profile; node_modules and an AppImage
// do not. As root, Chromium refuses to start with its sandbox at all. Used by `npm run demo` and the
// Playwright `_electron` fixtures to say what to do instead of letting Electron abort.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface SandboxFacts {
  platform: NodeJS.Platform;
  uid: number | null;
  /** Unprivileged user namespaces: usable, restricted (sysctl/AppArmor), or unknown. */
  userNamespaces: 'allowed' | 'restricted' | 'unknown';
  /** chrome-sandbox next to the Electron binary; null when absent. */
  helper: { rootOwned: boolean; setuid: boolean } | null;
}

export type SandboxVerdict =
  | { ok: true }
  | { ok: false; reason: string; fixes: string[] };

export function sandboxVerdict(f: SandboxFacts, helperPath: string): SandboxVerdict {
  if (f.platform !== 'linux') return { ok: true };
  if (f.uid === 0) {
    return { ok: false, reason: 'Chromium does not start its sandbox as root.', fixes: ['run as a normal user', 'or pass --no-sandbox (NO_SANDBOX=1 for npm run dev/start/demo)'] };
  }
  if (f.userNamespaces !== 'restricted') return { ok: true };
  if (f.helper?.rootOwned && f.helper.setuid) return { ok: true };
  return {
    ok: false,
    reason: 'Unprivileged user namespaces are restricted here (Ubuntu 23.10+ AppArmor) and the SUID sandbox helper is not set up, so Electron would abort.',
    fixes: [
      `sudo chown root:root '${helperPath}' && sudo chmod 4755 '${helperPath}'  (keeps the sandbox; redo after reinstalling electron)`,
      'or: sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0  (whole machine, until reboot)',
      'or: NO_SANDBOX=1 (runs the renderer without Chromium\'s sandbox: development only)',
    ],
  };
}

/** Reads a /proc/sys value; null when absent or unreadable. */
function sysctl(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}

export function readSandboxFacts(electronBinary: string): SandboxFacts {
  const platform = process.platform;
  const uid = typeof process.getuid === 'function' ? process.getuid() : null;
  let userNamespaces: SandboxFacts['userNamespaces'] = 'unknown';
  if (platform === 'linux') {
    const apparmor = sysctl('/proc/sys/kernel/apparmor_restrict_unprivileged_userns');
    const clone = sysctl('/proc/sys/kernel/unprivileged_userns_clone');
    const max = sysctl('/proc/sys/user/max_user_namespaces');
    userNamespaces = apparmor === '1' || clone === '0' || max === '0' ? 'restricted' : apparmor === null && clone === null && max === null ? 'unknown' : 'allowed';
  }
  let helper: SandboxFacts['helper'] = null;
  try {
    const s = statSync(sandboxHelperPath(electronBinary));
    helper = { rootOwned: s.uid === 0, setuid: (s.mode & 0o4000) !== 0 };
  } catch {
    helper = null;
  }
  return { platform, uid, userNamespaces, helper };
}

export function sandboxHelperPath(electronBinary: string): string {
  return join(electronBinary, '..', 'chrome-sandbox');
}
