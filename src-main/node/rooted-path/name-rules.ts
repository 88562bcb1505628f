// What a relative path may be, before it is joined to a folder: pure, lexical rules (no file system).
// Two levels:
// - `checkRelativePath(rel)`: the containment rule every caller needs (no empty path or component,
//   no '.'/'..', not absolute, no drive letter or UNC, no NUL);
// - `checkPortableName(rel)`: the stricter rule for names that come from the cloud (storage items,
//   archive members) and decide where we write: also no control characters, backslashes, reserved
//   Windows device names (on every platform: a case folder travels), Windows-only characters and
//   trailing dots on Windows, and components over 255 bytes.
// Every refusal carries a code (for programs) and a reason (for people); see refusals.ts.
import { refusal, type PathRefusal } from './refusals';

export type RelativeCheck = { ok: true; rel: string; parts: string[] } | ({ ok: false } & PathRefusal);

export interface NameRules {
  /** Platform whose rules and limits apply (default process.platform). */
  platform?: NodeJS.Platform;
}

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)$/i;
// Characters Windows refuses in a name (besides separators); legal elsewhere, so only on Windows.
const WINDOWS_FORBIDDEN = /[<>:"|?*]/;
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Longest component and whole absolute path (in bytes on POSIX, UTF-16 units on Windows). */
export function pathLimits(platform: NodeJS.Platform = process.platform): { name: number; path: number } {
  if (platform === 'win32') return { name: 255, path: 259 }; // MAX_PATH 260 incl. the NUL
  if (platform === 'darwin') return { name: 255, path: 1023 };
  return { name: 255, path: 4095 };
}

export function nameLength(s: string, platform: NodeJS.Platform = process.platform): number {
  return platform === 'win32' ? s.length : Buffer.byteLength(s, 'utf8');
}

/** The containment rule for a '/'-separated relative path. A single trailing '/' (tar folders) is accepted. */
export function checkRelativePath(rel: string): RelativeCheck {
  if (typeof rel !== 'string' || rel.length === 0) return { ok: false, ...refusal('empty') };
  if (rel.includes('\u0000')) return { ok: false, ...refusal('nul') };
  if (rel.startsWith('/') || rel.startsWith('\\')) return { ok: false, ...refusal('absolute') };
  if (/^[a-zA-Z]:/.test(rel)) return { ok: false, ...refusal('drive-letter') };
  const trimmed = rel.endsWith('/') ? rel.slice(0, -1) : rel;
  const parts = trimmed.split('/');
  for (const part of parts) {
    if (part === '') return { ok: false, ...refusal('empty-component') };
    if (part === '.' || part === '..') return { ok: false, ...refusal('dot-component', part) };
  }
  return { ok: true, rel: parts.join('/'), parts };
}

/** The stricter rule for one component of a name that comes from the cloud. */
export function checkPortableComponent(part: string, platform: NodeJS.Platform = process.platform): PathRefusal | undefined {
  if (CONTROL.test(part)) return refusal('control-char');
  if (part.includes('\\')) return refusal('backslash');
  if (platform === 'win32' && WINDOWS_FORBIDDEN.test(part)) return refusal('windows-char', part);
  // Windows ignores everything after the first dot and trailing spaces when matching device names.
  const stem = part.split('.')[0]!.trimEnd();
  if (WINDOWS_RESERVED.test(stem)) return refusal('reserved-name', part);
  // Windows strips trailing dots/spaces silently, so 'a.' would overwrite 'a'.
  if (platform === 'win32' && /[. ]$/.test(part)) return refusal('trailing-dot', part);
  const max = pathLimits(platform).name;
  if (nameLength(part, platform) > max) return refusal('name-too-long', String(max));
  return undefined;
}

/** checkRelativePath, then the portable rules on every component: for names the cloud gives us. */
export function checkPortableName(name: string, rules: NameRules = {}): RelativeCheck {
  const platform = rules.platform ?? process.platform;
  // Backslashes first: '..\\..\\x' is a Windows path climbing out, whatever the '/' rule says.
  if (typeof name === 'string' && name.startsWith('\\')) return { ok: false, ...refusal('absolute') };
  const basic = checkRelativePath(name);
  if (!basic.ok) return basic;
  for (const part of basic.parts) {
    const r = checkPortableComponent(part, platform);
    if (r) return { ok: false, ...r };
  }
  return basic;
}
