#!/usr/bin/env bash
# Runs a command inside a throwaway HOME and a private D-Bus session with an unlocked
# gnome-keyring: a real Secret Service for keytar, isolated from the user's own keychain.
set -euo pipefail
if ! command -v dbus-run-session >/dev/null || ! command -v gnome-keyring-daemon >/dev/null; then
  echo "with-keyring: dbus-run-session or gnome-keyring-daemon missing (run scripts/install.sh)" >&2
  exit 3
fi
KH=$(mktemp -d)
trap 'rm -rf "$KH"' EXIT
export HOME="$KH" XDG_DATA_HOME="$KH/.local/share" XDG_RUNTIME_DIR="$KH/run"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
exec dbus-run-session -- sh -c 'eval "$(printf %s throwaway | gnome-keyring-daemon --unlock --components=secrets)"; export GNOME_KEYRING_CONTROL; exec "$@"' sh "$@"
