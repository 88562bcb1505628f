import { describe, expect, it } from 'vitest';
import { type ArchiveState, type PathRecord, emptyRecord } from '../../../src-main/node/sync/index-store';
import { type LocalFile, type PlanInput, planPush, pushCost } from '../../../src-main/node/sync/planner';

const settings = { maxSingleCalls: 5, massDeleteThreshold: 50, massDeleteRatio: 0.3 };
const noArchive: ArchiveState = { present: false, uploadedAt: null, sha256: null, size: null, fileCount: 0, extracted: false, extractedAt: null, runsSinceUpload: 0 };
const archive = (extracted: boolean): ArchiveState => ({ ...noArchive, present: true, uploadedAt: 1, fileCount: 1, extracted });

function lf(path: string, sha: string, size = 10): LocalFile {
  return { path, size, mtimeMs: 1, sha256: sha };
}
function rec(path: string, fields: Partial<PathRecord>): PathRecord {
  return { ...emptyRecord(path), size: 10, mtimeMs: 1, ...fields };
}
function input(local: LocalFile[], records: PathRecord[], a: ArchiveState, extra: Partial<PlanInput> = {}): PlanInput {
  return { local: new Map(local.map((f) => [f.path, f])), records: new Map(records.map((r) => [r.path, r])), archive: a, settings, ...extra };
}

describe('planPush', () => {
  it('nothing changed: no strategy, zero calls', () => {
    const p = planPush(input([lf('a', 'h1')], [rec('a', { sha256: 'h1', storageSha256: 'h1', origin: 'pushed' })], noArchive));
    expect(p).toMatchObject({ strategy: 'none', apiCalls: 0, bytes: 0 });
  });

  it('first push of a case is one snapshot (upload + delete-cache)', () => {
    const files = [lf('a', '1'), lf('b', '2'), lf('c/d', '3')];
    const p = pushCost(input(files, [], noArchive));
    expect(p).toMatchObject({ strategy: 'snapshot', apiCalls: 2, bytes: 30 });
    expect(p.reason).toMatch(/First push/);
  });

  it('a change to a path inside a not-yet-extracted archive forces a new snapshot (rule 2)', () => {
    const p = planPush(input([lf('a', 'new'), lf('b', 'hb')], [rec('a', { sha256: 'old', archiveSha256: 'old', origin: 'pushed' }), rec('b', { sha256: 'hb', archiveSha256: 'hb', origin: 'pushed' })], archive(false)));
    expect(p.strategy).toBe('snapshot');
    expect(p.uploads.map((f) => f.path).sort()).toEqual(['a', 'b']);
    expect(p.reason).toMatch(/not been extracted/);
  });

  it('after extraction, a small change removes the archive first and goes single (N + 2 + 1 calls)', () => {
    const p = planPush(input([lf('a', 'new'), lf('b', 'hb')], [rec('a', { sha256: 'old', archiveSha256: 'old', storageSha256: 'old', origin: 'pushed' }), rec('b', { sha256: 'hb', archiveSha256: 'hb', storageSha256: 'hb', origin: 'pushed' })], archive(true)));
    expect(p).toMatchObject({ strategy: 'singles', deleteArchiveFirst: true, apiCalls: 4, bytes: 10 });
    expect(p.uploads.map((f) => f.path)).toEqual(['a']);
  });

  it('a new file next to an unextracted archive can go single: the archive does not hold it', () => {
    const p = planPush(input([lf('a', 'ha'), lf('n', 'hn')], [rec('a', { sha256: 'ha', archiveSha256: 'ha', origin: 'pushed' })], archive(false)));
    expect(p).toMatchObject({ strategy: 'singles', deleteArchiveFirst: false, apiCalls: 2 });
  });

  it('many changes go as one snapshot', () => {
    const local = Array.from({ length: 8 }, (_, i) => lf(`f${i}`, `new${i}`));
    const recs = local.map((f) => rec(f.path, { sha256: 'old', storageSha256: 'old', origin: 'pushed' }));
    const p = planPush(input(local, recs, noArchive));
    expect(p.strategy).toBe('snapshot');
    expect(p.reason).toMatch(/more than 5/);
  });

  it('a low budget prefers one archive call', () => {
    const local = [lf('a', 'n1'), lf('b', 'n2'), lf('c', 'n3')];
    const recs = local.map((f) => rec(f.path, { sha256: 'o', storageSha256: 'o', origin: 'pushed' }));
    expect(planPush(input(local, recs, noArchive, { budgetLeft: 6 })).strategy).toBe('snapshot');
    expect(planPush(input(local, recs, noArchive, { budgetLeft: 400 })).strategy).toBe('singles');
  });

  it('deleted files we pushed are deleted (2 calls each); archive-only ones vanish with the archive', () => {
    const recs = [
      rec('gone-file', { size: null, mtimeMs: null, sha256: null, storageSha256: 'x', origin: 'pushed' }),
      rec('keep', { sha256: 'k', storageSha256: 'k', origin: 'pushed' }),
    ];
    const p = planPush(input([lf('keep', 'k')], recs, noArchive));
    expect(p).toMatchObject({ strategy: 'singles', deletes: ['gone-file'], apiCalls: 3 });
    const q = planPush(input([lf('keep', 'k')], [rec('only-in-archive', { size: null, mtimeMs: null, sha256: null, archiveSha256: 'z', origin: 'pushed' }), rec('keep', { sha256: 'k', archiveSha256: 'k', origin: 'pushed' })], archive(false)));
    expect(q).toMatchObject({ strategy: 'snapshot', deletes: [], dropFromArchive: ['only-in-archive'], apiCalls: 2 });
  });

  it('pulled files are neither pushed back nor deleted from the cloud', () => {
    const recs = [
      rec('result.frd', { sha256: 'r', storageSha256: 'r', origin: 'pulled' }),
      rec('member.vtk', { sha256: 'm', origin: 'pulled' }),
      rec('deleted-result.rmed', { size: null, mtimeMs: null, sha256: null, storageSha256: 'q', origin: 'pulled' }),
    ];
    const p = planPush(input([lf('result.frd', 'r'), lf('member.vtk', 'm')], recs, noArchive));
    expect(p).toMatchObject({ strategy: 'none', apiCalls: 0, deletes: [] });
  });

  it('the mass-delete guard stops big deletions until confirmed', () => {
    const recs = Array.from({ length: 60 }, (_, i) => rec(`f${i}`, { size: null, mtimeMs: null, sha256: null, storageSha256: 'x', origin: 'pushed' }));
    const p = planPush(input([], recs, noArchive));
    expect(p.massDelete).toMatchObject({ count: 60, limit: 50, rule: 'count' });
    expect(p.massDelete?.paths).toHaveLength(60);
    expect(planPush(input([], recs, noArchive, { deletionsConfirmed: true })).massDelete).toBeNull();
    // Ratio rule: 12 of 20 pushed files.
    const some = [...Array.from({ length: 12 }, (_, i) => rec(`d${i}`, { size: null, mtimeMs: null, sha256: null, storageSha256: 'x', origin: 'pushed' })), ...Array.from({ length: 8 }, (_, i) => rec(`k${i}`, { sha256: 'k', storageSha256: 'k', origin: 'pushed' }))];
    const local = Array.from({ length: 8 }, (_, i) => lf(`k${i}`, 'k'));
    expect(planPush(input(local, some, noArchive)).massDelete).toMatchObject({ count: 12, limit: 6, rule: 'share' });
  });

  it('deleting more than half of a case asks, however small the case; half or less does not', () => {
    const gone = (p: string) => rec(p, { size: null, mtimeMs: null, sha256: null, storageSha256: 'x', origin: 'pushed' });
    const kept = (p: string) => rec(p, { sha256: 'k', storageSha256: 'k', origin: 'pushed' });
    // 6 of 9 inputs deleted (the ratio rule starts at 10 deletions; this one does not wait for it)
    const nine = [...['a', 'b', 'c', 'd', 'e', 'f'].map(gone), ...['g', 'h', 'i'].map(kept)];
    const p = planPush(input(['g', 'h', 'i'].map((x) => lf(x, 'k')), nine, noArchive));
    expect(p.massDelete).toEqual({ count: 6, limit: 4, rule: 'half', paths: ['a', 'b', 'c', 'd', 'e', 'f'] });
    // 1 of 2: exactly half, pushed without a question
    expect(planPush(input([lf('b', 'k')], [gone('a'), kept('b')], noArchive)).massDelete).toBeNull();
    // a ratio setting of 1 turns the rule off (as for scripted tests of the engine)
    expect(planPush(input([], [gone('a')], noArchive)).massDelete).toMatchObject({ rule: 'half' });
    expect(planPush({ ...input([], [gone('a')], noArchive), settings: { ...settings, massDeleteRatio: 1 } }).massDelete).toBeNull();
  });

  it('confirming a set of deletions covers exactly those: one more deletion asks again', () => {
    const gone = (p: string) => rec(p, { size: null, mtimeMs: null, sha256: null, storageSha256: 'x', origin: 'pushed' });
    const recs = ['a', 'b', 'c'].map(gone);
    expect(planPush(input([], recs, noArchive, { deletionsConfirmed: new Set(['a', 'b', 'c']) })).massDelete).toBeNull();
    expect(planPush(input([], recs, noArchive, { deletionsConfirmed: new Set(['a', 'b']) })).massDelete).toMatchObject({ count: 3 });
  });

  it('when every pushed file is gone, the archive is removed instead of uploading an empty one', () => {
    const recs = [rec('a', { size: null, mtimeMs: null, sha256: null, archiveSha256: 'a', origin: 'pushed' })];
    const p = planPush(input([], recs, archive(false)));
    expect(p).toMatchObject({ strategy: 'singles', deleteArchiveFirst: true, uploads: [], apiCalls: 3 });
  });

  it('large files go beside the first archive, largest first, within the cap', () => {
    const big = (p: string, mb: number): LocalFile => lf(p, `h-${p}`, mb * 1024 * 1024);
    const files = [lf('a', '1'), lf('b', '2'), big('mesh/faces', 200), big('mesh/points', 100), big('model.stl', 50)];
    const p = planPush(input(files, [], noArchive, { settings: { ...settings, maxBeside: 2 } }));
    expect(p.strategy).toBe('snapshot');
    expect(p.beside.map((f) => f.path)).toEqual(['mesh/faces', 'mesh/points']);
    expect(p.uploads.map((f) => f.path).sort()).toEqual(['a', 'b', 'model.stl']);
    expect(p.apiCalls).toBe(2 + 2);
    expect(p.bytes).toBe(20 + 350 * 1024 * 1024);
    expect(p.reason).toMatch(/2 large files go beside it/);
    // A low budget sends fewer beside the archive.
    expect(planPush(input(files, [], noArchive, { budgetLeft: 8 })).beside.map((f) => f.path)).toEqual(['mesh/faces']);
  });

  it('a rebuilt archive leaves out large files already in storage with their content (no call, no bytes)', () => {
    const mesh = lf('mesh', 'm', 100 * 1024 * 1024);
    const recs = [
      rec('a', { sha256: 'old', archiveSha256: 'old', origin: 'pushed' }),
      rec('mesh', { size: mesh.size, sha256: 'm', storageSha256: 'm', origin: 'pushed' }),
    ];
    const p = planPush(input([lf('a', 'new'), mesh], recs, archive(false)));
    expect(p).toMatchObject({ strategy: 'snapshot', apiCalls: 2, bytes: 10, beside: [] });
    expect(p.uploads.map((f) => f.path)).toEqual(['a']);
  });

  it('only large files: single uploads, after removing an archive that may hold older versions', () => {
    const huge = lf('big.bin', 'b2', 2 * 1024 * 1024 * 1024);
    expect(planPush(input([huge], [], noArchive))).toMatchObject({ strategy: 'singles', deleteArchiveFirst: false, apiCalls: 2, uploads: [huge] });
    const recs = [rec('big.bin', { sha256: 'b1', archiveSha256: 'b1', origin: 'pushed' })];
    expect(planPush(input([huge], recs, archive(false)))).toMatchObject({ strategy: 'singles', deleteArchiveFirst: true, apiCalls: 4, uploads: [huge] });
  });
});
