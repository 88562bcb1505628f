// The workspace's own refusals: a code a front end acts on (AppCore maps it onto the contract's
// ErrorCode, the CLI onto an exit code) and a message for a person. Errors of the modules below
// (LaunchRefused, ControlError, ProjectError, MassDeleteError, KeyStoreError, CloudHpcError,
// PathRefused) pass through unchanged: they are typed already.
export type WorkspaceErrorCode = 'no-key' | 'not-found' | 'not-allowed' | 'busy' | 'needs-confirmation';

export class WorkspaceError extends Error {
  constructor(readonly code: WorkspaceErrorCode, message: string) {
    super(message);
    this.name = 'WorkspaceError';
  }
}

export const NO_KEY_MESSAGE = 'No API key is set yet: paste the key from your cloudHPC profile page in the app (it is kept in the system keychain), or set CLOUDHPC_API_KEY.';
