#!/usr/bin/env bash
# One install step for a fresh machine: the system packages the app and its tests need
# (only those missing), then the npm dependencies from the lock file.
# - libsecret-1-dev: keytar compiles from source against it (OS keychain access).
# - gnome-keyring: a real Secret Service for the keychain test suite.
# - chromium: the browser the end-to-end tests drive when Playwright has none of its own.
# - curl: the baseline in the benchmarks and the provider's bash client.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for pkg in libsecret-1-dev gnome-keyring chromium curl dbus; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    echo "Installing system packages: ${need[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "Missing system packages (${need[*]}); install them with your package manager." >&2
  fi
fi

# The Electron binary cannot be downloaded everywhere; the app runs headless without it.
export ELECTRON_SKIP_BINARY_DOWNLOAD=1
if [ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then
  echo "npm dependencies are up to date"
else
  npm ci --no-audit --no-fund
fi
