// Headless servers and CI: the key comes from an environment variable and cannot be changed by the app.
// It is bound to the service address it was given for (`account`, the base URL when the chain was
// opened): another address gets no key from it, so a changed address never receives it.
import { KeyStoreError, type KeyStore } from './types';

export const DEFAULT_KEY_ENV_VAR = 'CLOUDHPC_API_KEY';

export class EnvStore implements KeyStore {
  readonly backend = 'env' as const;
  /** `account`: the address the key serves (undefined: every address, for callers that have one only). */
  constructor(private readonly value: string, readonly variable: string, readonly account?: string) {}
  /** Does the variable's key serve this account? */
  serves(account: string): boolean {
    return this.account === undefined || this.account === account;
  }
  async get(account: string): Promise<string | null> { return this.serves(account) ? this.value : null; }
  async set(_account: string, _key: string): Promise<void> {
    throw new KeyStoreError('read-only', `The API key comes from the ${this.variable} environment variable: change it there (or unset it to store a key in the app).`);
  }
  async delete(_account: string): Promise<boolean> {
    throw new KeyStoreError('read-only', `The API key comes from the ${this.variable} environment variable: unset it there.`);
  }
}
