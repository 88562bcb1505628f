// Public surface of the key store (see README.md).
export type { KeyBackend, KeyStore, SafeStorageLike, SkippedBackend, KeyStoreErrorCode } from './types';
export { KeyStoreError } from './types';
export { openKeyStore, KeyStoreChain, type KeyStoreStatus, type OpenKeyStoreOptions } from './chain';
export { ApiKeyManager, accountFor, backendLabel, defaultCliKeyFile, keyErrorCode, normaliseApiKey, readCliKeyFile, type ApiKeyManagerOptions, type KeyChecker } from './api-key';
export { describeKeychainError } from './keytar-errors';
export { KEY_FILE_NAME } from './encrypted-file-store';
