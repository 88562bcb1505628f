// Electron is not installed here, so safeStorage is replaced by an object implementing the same
// interface with real AES-256-GCM encryption: the files the key store writes are real and are read
// back (and checked not to contain the key) by the tests.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SafeStorageLike } from '../../../src-main/node/keystore/types';

export class AesSafeStorage implements SafeStorageLike {
  constructor(
    /** The OS-protected secret safeStorage would use (32 bytes). Same key = same machine after a restart. */
    private readonly secret: Buffer = randomBytes(32),
    private readonly selected: string = 'gnome_libsecret',
    private readonly available = true,
  ) {}

  isEncryptionAvailable(): boolean { return this.available; }
  getSelectedStorageBackend(): string { return this.selected; }

  encryptString(plainText: string): Buffer {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.secret, iv);
    const body = Buffer.concat([c.update(plainText, 'utf8'), c.final()]);
    return Buffer.concat([Buffer.from('v10'), iv, c.getAuthTag(), body]);
  }

  decryptString(encrypted: Buffer): string {
    if (encrypted.subarray(0, 3).toString() !== 'v10') throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
    const iv = encrypted.subarray(3, 15);
    const tag = encrypted.subarray(15, 31);
    const d = createDecipheriv('aes-256-gcm', this.secret, iv);
    d.setAuthTag(tag);
    return Buffer.concat([d.update(encrypted.subarray(31)), d.final()]).toString('utf8');
  }
}
