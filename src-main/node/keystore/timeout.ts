// keytar can hang (a keychain prompt nobody answers, a stuck D-Bus): every call gets a deadline.
// The underlying call cannot be cancelled; it is abandoned and its late result ignored.
import { KeyStoreError } from './types';

export function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new KeyStoreError('timeout', `The system keychain did not answer within ${Math.round(ms / 100) / 10} s (${what}): it may be waiting for a password prompt. Unlock it and try again.`));
    }, ms);
    timer.unref?.();
    work.then(
      (v) => { clearTimeout(timer); resolve(v); },
      (e: unknown) => { clearTimeout(timer); reject(e); },
    );
  });
}
