// Exit codes of `cloudhpc-sync` that scripts can rely on (documented in src-main/cli/README.md).
export const EXIT = {
  /** Done: the requested state holds. */
  OK: 0,
  /** The operation failed (see the message). */
  FAILURE: 1,
  /** Bad command line or bad input (unknown command, missing folder, invalid storage folder name). */
  USAGE: 2,
  /** No API key, or the key was refused. */
  AUTH: 3,
  /** The push would delete more files than the mass-delete guard allows: rerun with --confirm-deletes. */
  CONFIRM_DELETES: 4,
  /** cloudHPC could not be reached before the timeout. */
  OFFLINE: 5,
  /**
   * Not everything was transferred: a push ran out of time (files that keep changing or cannot be
   * read), or a pull could not download or place some results. Rerun to continue.
   */
  INCOMPLETE: 6,
  /** Interrupted (Ctrl-C) before the operation finished; nothing is corrupted, rerun to continue. */
  INTERRUPTED: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
