// keytar's failures (libsecret, Keychain, Credential Manager) turned into what a person can act on.
// The texts matched are libsecret/GLib's own (see /work/shared/reference/environment.md).

export interface KeychainProblem {
  /** One sentence for the settings page and the log: what is wrong and what to do. */
  reason: string;
  /** True when the keychain as a whole is not usable (fall back); false for a one-off failure. */
  unavailable: boolean;
}

const known: { test: RegExp; reason: string }[] = [
  {
    test: /Cannot autolaunch D-Bus without X11 \$DISPLAY/i,
    reason: 'No D-Bus session is running (typical over SSH, in a container or without a desktop), so the system keychain cannot be reached.',
  },
  {
    test: /org\.freedesktop\.secrets was not provided by any \.service files/i,
    reason: 'No Secret Service is installed (for example gnome-keyring or KWallet), so there is no system keychain: install one to keep the key there.',
  },
  {
    test: /Could not connect: No such file or directory|Could not connect: Connection refused/i,
    reason: 'The D-Bus session address (DBUS_SESSION_BUS_ADDRESS) points to nothing, so the system keychain cannot be reached: start the app from your desktop session.',
  },
  {
    test: /Object does not exist at path .*\/org\/freedesktop\/secrets\/collection\/login/i,
    reason: 'The system keychain is locked or has no "login" keyring: unlock it (log in to the desktop, or open "Passwords and Keys"), then restart the app.',
  },
  {
    test: /Cannot create an item in a locked collection/i,
    reason: 'The system keychain is locked: unlock it (log in to the desktop, or open "Passwords and Keys"), then restart the app.',
  },
  {
    test: /user interaction is not allowed|errSecInteractionNotAllowed|keychain.*locked/i,
    reason: 'The macOS keychain is locked: unlock it (log in again, or open Keychain Access), then restart the app.',
  },
  {
    test: /Cannot find module|MODULE_NOT_FOUND|ERR_MODULE_NOT_FOUND|was compiled against a different Node\.js version|ERR_DLOPEN_FAILED|cannot open shared object file/i,
    reason: 'The keychain module (keytar) is missing or was not built for this platform, so the system keychain cannot be used.',
  },
];

/** The first line of an error, with anything that looks like the key removed. */
function firstLine(err: unknown, secret?: string): string {
  const text = err instanceof Error ? err.message : String(err);
  let line = text.split('\n')[0] ?? '';
  if (secret) line = line.split(secret).join('[key]');
  return line.slice(0, 200);
}

export function describeKeychainError(err: unknown, secret?: string): KeychainProblem {
  const line = firstLine(err, secret);
  for (const k of known) if (k.test.test(line)) return { reason: k.reason, unavailable: true };
  return { reason: `The system keychain failed (${line || 'no detail'}).`, unavailable: true };
}
