// The storage browser's refusals: a code front ends act on (AppCore maps it onto the contract's
// ErrorCode, the CLI onto an exit code) and a sentence for a person (from messages.ts).
export type StorageRefusalCode =
  /** The path typed is not a storage path ('..', control characters). */
  | 'invalid-path'
  /** Nothing of that name in the storage. */
  | 'not-found'
  /** A folder was expected (a case to open) and a file is there. */
  | 'not-a-folder'
  /** Only a top-level folder of the storage can be a project, under a name the service accepts. */
  | 'not-a-project-folder'
  /** The storage folder or the local folder belongs to another project already. */
  | 'already-a-project'
  /** The local folder holds files: opening there needs the person's "merge". */
  | 'not-empty'
  /** The local destination exists and is not a folder. */
  | 'not-a-local-folder'
  /** The deletion removes more of a project's files than its mass-delete guard allows. */
  | 'mass-delete'
  /** The project is being opened from the cloud: it does not push or resume until that finished. */
  | 'opening';

export class StorageRefused extends Error {
  constructor(readonly code: StorageRefusalCode, message: string) {
    super(message);
    this.name = 'StorageRefused';
  }
}

export function isStorageRefused(e: unknown): e is StorageRefused {
  return e instanceof StorageRefused;
}
