// Storage folder names: the service refuses folders whose names contain , ( ) ' $ ~ " # * ? or spaces
// (a simulation then fails with "FOLDER ... not detected"). We check before anything is uploaded and
// suggest a valid name the user can accept as is.

export const FORBIDDEN_CHARS = [',', '(', ')', "'", '$', '~', '"', '#', '*', '?'] as const;
/** Longest name we accept (the storage itself allows more; long names make poor folder names). */
export const MAX_NAME_LENGTH = 200;

export type NameCheck =
  | { ok: true; name: string }
  | { ok: false; name: string; message: string; suggestion: string };

function describeChar(c: string): string {
  if (c === ' ') return 'spaces';
  if (c === '\t') return 'tabs';
  if (c === '/' || c === '\\') return `"${c}" (the storage folder is one top-level folder, not a path)`;
  if (/[\u0000-\u001f\u007f]/.test(c)) return 'control characters';
  return `"${c}"`;
}

function isBad(c: string): boolean {
  return (FORBIDDEN_CHARS as readonly string[]).includes(c) || /\s/.test(c) || c === '/' || c === '\\' || /[\u0000-\u001f\u007f]/.test(c);
}

/** A valid name close to the given one: every refused character becomes '_', runs collapse, ends trimmed. */
export function suggestStorageName(name: string): string {
  let s = Array.from(name.normalize('NFC')).map((c) => (isBad(c) ? '_' : c)).join('');
  s = s.replace(/_+/g, '_').replace(/^[_.]+|_+$/g, '');
  if (s.length > MAX_NAME_LENGTH) s = s.slice(0, MAX_NAME_LENGTH).replace(/_+$/, '');
  if (s === '' || s === '.' || s === '..') s = 'case';
  return s;
}

/** Checks a storage folder name against the service's rules; on refusal says why and what to use instead. */
export function checkStorageName(name: string): NameCheck {
  const bad = [...new Set(Array.from(name).filter(isBad))];
  const problems: string[] = [];
  if (name.length === 0) problems.push('it is empty');
  if (bad.length > 0) problems.push(`it contains ${bad.map(describeChar).filter((v, i, a) => a.indexOf(v) === i).join(', ')}`);
  if (name === '.' || name === '..') problems.push('it is a relative folder name');
  else if (name.startsWith('.')) problems.push('it starts with "." (hidden folders are left out by the service)');
  if (name.length > MAX_NAME_LENGTH) problems.push(`it is longer than ${MAX_NAME_LENGTH} characters`);
  if (problems.length === 0) return { ok: true, name };
  const suggestion = suggestStorageName(name);
  return {
    ok: false,
    name,
    suggestion,
    message: `The storage folder name "${name}" cannot be used: ${problems.join('; ')}. cloudHPC refuses names with , ( ) ' $ ~ " # * ? or spaces. Use "${suggestion}" instead.`,
  };
}
