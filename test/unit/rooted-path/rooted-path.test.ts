// The one rooted-path rule, as one table: each row is an operation, a path, and what must happen
// (ok, or the refusal code). The file-system rows run against a real folder with real symlinks.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPortableName, checkRelativePath, isPathRefused, isWithin, RootedFolder } from '../../../src-main/node/rooted-path';

type Op = 'relative' | 'portable' | 'portable-win32' | 'join' | 'join-win32' | 'resolve' | 'parentForWrite' | 'checkParentForWrite';
const deep = Array.from({ length: 30 }, () => 'd'.repeat(200)).join('/');

const table: [Op, string, 'ok' | string][] = [
  // the containment rule (every caller)
  ['relative', '', 'empty'],
  ['relative', 'a//b', 'empty-component'],
  ['relative', './', 'dot-component'],
  ['relative', '../etc/passwd', 'dot-component'],
  ['relative', 'a/../../b', 'dot-component'],
  ['relative', '/etc/passwd', 'absolute'],
  ['relative', 'C:/Windows/x', 'drive-letter'],
  ['relative', 'c:evil', 'drive-letter'],
  ['relative', 'a\u0000b', 'nul'],
  ['relative', 'a/b.txt', 'ok'],
  ['relative', 'dir/', 'ok'],
  ['relative', 'local name (v2).txt', 'ok'],
  // names from the cloud (storage items, archive members): portable everywhere
  ['portable', '\\\\server\\share\\x', 'absolute'],
  ['portable', '..\\..\\evil.txt', 'backslash'],
  ['portable', 'sub\\file', 'backslash'],
  ['portable', 'CON', 'reserved-name'],
  ['portable', 'con.txt', 'reserved-name'],
  ['portable', 'dir/aux.tar.gz', 'reserved-name'],
  ['portable', 'NUL', 'reserved-name'],
  ['portable', 'COM1.log', 'reserved-name'],
  ['portable', 'lpt9', 'reserved-name'],
  ['portable', 'a\nb', 'control-char'],
  ['portable', `${'x'.repeat(256)}.txt`, 'name-too-long'],
  ['portable', '../x', 'dot-component'],
  ['portable', 'FDS.tar.gz', 'ok'],
  ['portable', 'postProcessing/forces/0/force.dat', 'ok'],
  ['portable', 'dir/', 'ok'],
  ['portable', 'CONTROL.txt', 'ok'],
  ['portable', 'com10', 'ok'],
  ['portable', 'a.', 'ok'],
  ['portable', 'ab:c', 'ok'],
  ['portable', 'résultat.rmed', 'ok'],
  ['portable', deep, 'ok'], // each component is fine; the whole path is checked when joined
  ['portable-win32', 'a.', 'trailing-dot'],
  ['portable-win32', 'b ', 'trailing-dot'],
  ['portable-win32', 'ab:c', 'windows-char'],
  // joining to the folder (lexical)
  ['join', '../x', 'dot-component'],
  ['join', 'sub/x.txt', 'ok'],
  ['join', deep, 'path-too-long'],
  ['join-win32', `${'a/'.repeat(140)}x`, 'path-too-long'],
  // reading or opening an existing path: its real location stays inside
  ['resolve', 'afile', 'ok'],
  ['resolve', 'real', 'ok'],
  ['resolve', 'inlink.txt', 'ok'],
  ['resolve', 'escape.txt', 'outside'],
  ['resolve', 'out', 'outside'],
  ['resolve', 'out/secret.txt', 'outside'],
  ['resolve', '../outside/secret.txt', 'dot-component'],
  // writing: no symlinked folder on the way (even one pointing inside), real parent inside
  ['parentForWrite', 'out/evil.txt', 'symlink'],
  ['parentForWrite', 'in/x.txt', 'symlink'],
  ['parentForWrite', 'afile/x.txt', 'not-a-folder'],
  ['parentForWrite', 'new/deep/c.txt', 'ok'],
  ['parentForWrite', 'top.txt', 'ok'],
  ['checkParentForWrite', 'out/x.txt', 'symlink'],
  ['checkParentForWrite', 'not-there/x.txt', 'ok'],
];

let base = '';
let project = '';
beforeAll(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), 'rooted-'));
  project = path.join(base, 'project');
  await mkdir(path.join(project, 'real'), { recursive: true });
  await mkdir(path.join(base, 'outside'));
  await writeFile(path.join(base, 'outside', 'secret.txt'), 'secret');
  await writeFile(path.join(project, 'afile'), 'x');
  await symlink(path.join(project, 'real'), path.join(project, 'in'));
  await symlink(path.join(base, 'outside'), path.join(project, 'out'));
  await symlink(path.join(base, 'outside', 'secret.txt'), path.join(project, 'escape.txt'));
  await symlink(path.join(project, 'afile'), path.join(project, 'inlink.txt'));
});
afterAll(async () => { await rm(base, { recursive: true, force: true }); });

async function run(op: Op, p: string): Promise<string> {
  const fromCheck = (r: { ok: true } | { ok: false; code: string }): string => (r.ok ? 'ok' : r.code);
  try {
    switch (op) {
      case 'relative': return fromCheck(checkRelativePath(p));
      case 'portable': return fromCheck(checkPortableName(p, { platform: 'linux' }));
      case 'portable-win32': return fromCheck(checkPortableName(p, { platform: 'win32' }));
      case 'join': new RootedFolder(project, { platform: 'linux' }).join(p); return 'ok';
      case 'join-win32': new RootedFolder(project, { platform: 'win32' }).join(p); return 'ok';
      case 'resolve': await new RootedFolder(project).resolve(p); return 'ok';
      case 'parentForWrite': await new RootedFolder(project).parentForWrite(p); return 'ok';
      case 'checkParentForWrite': await new RootedFolder(project).checkParentForWrite(p); return 'ok';
    }
  } catch (e) {
    if (isPathRefused(e)) return e.code;
    throw e;
  }
}

describe('the rooted-path rule', () => {
  it.each(table)('%s %j → %s', async (op, p, want) => {
    expect(await run(op, p)).toBe(want);
  });

  it('every refusal has a reason for a person', () => {
    const r = checkPortableName('CON');
    expect(r.ok ? '' : r.reason).toMatch(/reserved Windows device name/);
  });

  it('creates the parent folders it checks, and nothing for a check only', async () => {
    expect(existsSync(path.join(project, 'new', 'deep'))).toBe(true);
    expect(existsSync(path.join(project, 'not-there'))).toBe(false);
  });

  it('works when the folder itself is reached through a symlink', async () => {
    await symlink(project, path.join(base, 'via-link'));
    const root = new RootedFolder(path.join(base, 'via-link'));
    await expect(root.parentForWrite('x/y.txt')).resolves.toBe(path.join(base, 'via-link', 'x'));
    await expect(root.resolve('afile')).resolves.toBe(path.join(base, 'via-link', 'afile'));
  });

  it.each([
    ['/tmp/proj', '/tmp/proj-evil/x', {}, false],
    ['/tmp/proj', '/tmp/proj/x', {}, true],
    ['/tmp/proj', '/tmp/proj', {}, true],
    ['/tmp/proj', '/tmp/proj', { allowEqual: false }, false],
    ['/tmp/proj', '/tmp', {}, false],
    ['/a/b', '/A/B/c', { caseInsensitive: true }, true],
    ['/a/b', '/A/B/c', { caseInsensitive: false }, false],
  ] as const)('isWithin(%j, %j, %j) is %s', (parent, child, o, want) => {
    expect(isWithin(parent, child, o)).toBe(want);
  });
});
