// Every failure inside the core becomes a ContractError: a code the UI can act on and a message
// for a person. Nothing here ever carries the API key, a signed URL's query or a stack.
import { ZodError } from 'zod';
import type { ContractError, ErrorCode, PreflightReport } from '../../common/contract';
import { CloudHpcError } from '../api/errors';
import { redactText } from '../api/redact';
import { KeyStoreError, keyErrorCode } from '../keystore';
import { ProjectError } from '../project';
import { isPathRefused } from '../rooted-path';
import { ControlError } from '../simulation/control';
import { isStorageRefused, type StorageRefusalCode } from '../storage';
import { LaunchRefused } from '../simulation/launch';
import { WorkspaceError } from '../workspace';
import { reportView } from './views';

/** A refusal of AppCore itself (a request the UI should not have sent like that). */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extra: { suggestion?: string; preflight?: PreflightReport } = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

const cloudKinds: Record<CloudHpcError['kind'], ErrorCode> = {
  unauthorized: 'key-rejected',
  'feature-unavailable': 'not-allowed',
  'not-found-or-forbidden': 'not-found',
  'rate-limited': 'rate-limited',
  network: 'offline',
  server: 'offline',
  'bad-reply': 'internal',
  transfer: 'offline',
  cancelled: 'internal',
};

const controlCodes: Record<ControlError['code'], ErrorCode> = {
  'needs-confirmation': 'needs-confirmation',
  failed: 'internal',
  finished: 'not-allowed',
  'not-applicable': 'not-allowed',
};

const storageCodes: Record<StorageRefusalCode, ErrorCode> = {
  'invalid-path': 'invalid-input',
  'not-found': 'not-found',
  'not-a-folder': 'invalid-input',
  'not-a-project-folder': 'invalid-input',
  'already-a-project': 'invalid-input',
  'not-empty': 'needs-confirmation',
  'not-a-local-folder': 'invalid-input',
  'mass-delete': 'needs-confirmation',
  opening: 'not-allowed',
};

/** Any thrown value → a ContractError. */
export function toContractError(err: unknown): ContractError {
  if (err instanceof AppError) {
    const e: ContractError = { code: err.code, message: redactText(err.message) };
    if (err.extra.suggestion) e.suggestion = err.extra.suggestion;
    if (err.extra.preflight) e.preflight = err.extra.preflight;
    return e;
  }
  if (err instanceof WorkspaceError) return { code: err.code, message: redactText(err.message) };
  if (err instanceof LaunchRefused) {
    const code: ErrorCode = err.code === 'warnings-declined' ? 'needs-confirmation' : err.code === 'run-active' ? 'not-allowed' : err.report ? 'preflight-failed' : 'invalid-input';
    return { code, message: redactText(err.message), ...(err.report ? { preflight: reportView(err.report) } : {}) };
  }
  if (err instanceof ControlError) return { code: controlCodes[err.code], message: redactText(err.message) };
  if (isStorageRefused(err)) return { code: storageCodes[err.code], message: redactText(err.message) };
  if (isPathRefused(err)) return { code: 'not-allowed', message: redactText(`That is not a plain path inside the project folder (${err.reason}).`) };
  if (err instanceof CloudHpcError) return { code: cloudKinds[err.kind], message: err.userMessage };
  if (err instanceof KeyStoreError) return { code: keyErrorCode(err), message: redactText(err.message) };
  if (err instanceof ProjectError) {
    const e: ContractError = { code: 'invalid-input', message: redactText(err.message) };
    if (err.suggestion) e.suggestion = err.suggestion;
    return e;
  }
  if (err instanceof ZodError) {
    const first = err.issues[0];
    const where = first && first.path.length > 0 ? ` (${first.path.join('.')})` : '';
    const said = first?.message ?? 'bad input';
    return { code: 'invalid-params', message: `The request is not valid${where}: ${said}${/[.!?]$/.test(said) ? '' : '.'}` };
  }
  if (err instanceof Error) {
    const userMessage = (err as Error & { userMessage?: unknown }).userMessage;
    const message = typeof userMessage === 'string' ? userMessage : err.message;
    return { code: 'internal', message: redactText(message || 'Something went wrong: try again.') };
  }
  return { code: 'internal', message: 'Something went wrong: try again.' };
}
