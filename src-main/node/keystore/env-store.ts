// Headless servers and CI: the key comes from an environment variable and cannot be changed by the app.
import { KeyStoreError, type KeyStore } from './types';

export const DEFAULT_KEY_ENV_VAR = 'CLOUDHPC_API_KEY';

export class EnvStore implements KeyStore {
  readonly backend = 'env' as const;
  constructor(private readonly value: string, readonly variable: string) {}
  async get(_account: string): Promise<string | null> { return this.value; }
  async set(_account: string, _key: string): Promise<void> {
    throw new KeyStoreError('read-only', `The API key comes from the ${this.variable} environment variable: change it there (or unset it to store a key in the app).`);
  }
  async delete(_account: string): Promise<boolean> {
    throw new KeyStoreError('read-only', `The API key comes from the ${this.variable} environment variable: unset it there.`);
  }
}
