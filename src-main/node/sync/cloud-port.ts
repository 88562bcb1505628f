// What the sync engine needs from the cloudHPC API client. CloudHpcClient (../api/client.ts)
// satisfies it structurally; the port keeps the engine testable and its dependency explicit.
import type { CallOptions, StorageItem, TransferOptions } from '../api/types';

export interface UploadTarget {
  dirname: string;
  filename: string;
  contentType?: string;
}

export interface UploadResult {
  bytes: number;
  /** sha256 of the bytes sent (null when not computed). */
  sha256: string | null;
}

export interface PushCloud {
  /**
   * `sha256: false` skips hashing the bytes sent (default: hashed). `expect`: the size and mtime the
   * file was planned with; the client opens the file once (no symlink followed) and refuses anything
   * else with LocalFileChanged (api/local-file.ts) before any call.
   */
  uploadFile(localPath: string, target: UploadTarget, o?: TransferOptions & { sha256?: boolean; expect?: { size: number; mtimeMs: number } }): Promise<UploadResult>;
  viewByPath(path: string, o?: CallOptions): Promise<StorageItem>;
  deleteStorage(id: number, o?: CallOptions): Promise<boolean>;
  deleteCache(o?: CallOptions): Promise<boolean>;
}

/** Error kinds of the client, read without importing the class (any Error with a `kind`). */
export function errorKind(e: unknown): string | undefined {
  if (e && typeof e === 'object' && 'kind' in e) {
    const k = (e as { kind: unknown }).kind;
    return typeof k === 'string' ? k : undefined;
  }
  return undefined;
}

/** A person-readable message: the client's userMessage when there is one. */
export function errorText(e: unknown): string {
  if (e && typeof e === 'object' && 'userMessage' in e && typeof (e as { userMessage: unknown }).userMessage === 'string') {
    return (e as { userMessage: string }).userMessage;
  }
  return e instanceof Error ? e.message : String(e);
}

export function isOffline(e: unknown): boolean {
  return errorKind(e) === 'network';
}

export function isNotFound(e: unknown): boolean {
  return errorKind(e) === 'not-found-or-forbidden';
}
