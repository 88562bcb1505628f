// Electron's safeStorage, seen through the key store's small interface (SafeStorageLike).
import { safeStorage } from 'electron';
import type { SafeStorageLike } from '../node/keystore';

export function electronSafeStorage(): SafeStorageLike {
  return {
    isEncryptionAvailable: () => safeStorage.isEncryptionAvailable(),
    encryptString: (plain) => safeStorage.encryptString(plain),
    decryptString: (encrypted) => safeStorage.decryptString(encrypted),
    // Linux only; elsewhere the OS always protects the key.
    getSelectedStorageBackend: process.platform === 'linux' ? () => safeStorage.getSelectedStorageBackend() : undefined,
  };
}
