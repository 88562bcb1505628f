// Last resort: the key is kept for this session only and asked for again at the next start.
import type { KeyStore } from './types';

export class MemoryStore implements KeyStore {
  readonly backend = 'memory' as const;
  private readonly keys = new Map<string, string>();
  async get(account: string): Promise<string | null> { return this.keys.get(account) ?? null; }
  async set(account: string, key: string): Promise<void> { this.keys.set(account, key); }
  async delete(account: string): Promise<boolean> { return this.keys.delete(account); }
}
