import { describe, expect, it } from 'vitest';
import { expectedNames, familyOfFiles, familyOfScript, isDefaultResult, isResultArchive, isSkipped, listingCost, planPull } from '../../../src-main/node/sync/pull/selection';

describe('which remote files a pull takes', () => {
  it.each(['FDS.tar.gz', 'OPENFOAM-solution.tar.gz', 'OPENFOAM-constant.tar.gz', 'SATURNE-solution.tar.gz', 'CODE-ASTER.tar.gz', 'CALCULIX.tar.gz', 'OPENRADIOSS.tar.gz', 'beam.rmed', 'job.frd', 'cloudhpc.log', 'cloudhpc.err', 'cpu.csv', 'case_hrr.csv'])(
    'pulls %s by default',
    (n) => expect(isDefaultResult(n)).toBe(true),
  );
  it.each(['upload.tar.gz', 'CloudHPC-massive-files-20260925000914.tar.gz', 'case.fds', 'controlDict', 'other.tar.gz'])('does not pull %s by default', (n) => expect(isDefaultResult(n)).toBe(false));
  it('skips our input archive and the massive-files bundles always', () => {
    expect(isSkipped('upload.tar.gz')).toBe(true);
    expect(isSkipped('CloudHPC-massive-files.tar.gz')).toBe(true);
    expect(isSkipped('FDS.tar.gz')).toBe(false);
    expect(isResultArchive('FDS.tar.gz')).toBe(true);
    expect(isResultArchive('cpu.csv')).toBe(false);
  });
  it('knows the solver family from the script or the case files', () => {
    expect(familyOfScript('fds6.9.1')).toBe('fds');
    expect(familyOfScript('openFoam-v2406')).toBe('openfoam');
    expect(familyOfScript('calculiX-2.21-PARDISO')).toBe('calculix');
    expect(familyOfScript('codeAster-17.0_mpi')).toBe('code-aster');
    expect(familyOfScript('custom-script')).toBe(null);
    expect(familyOfFiles(['room.fds'])).toBe('fds');
    expect(familyOfFiles(['system', 'constant', '0', 'system/controlDict'])).toBe('openfoam');
    expect(familyOfFiles(['beam.inp'])).toBe('calculix');
  });
  it('CalculiX result names follow the local job names', () => {
    expect(expectedNames('calculix', ['beam.inp', 'sub/x.inp'])).toContain('beam.frd');
    expect(expectedNames('calculix', ['beam.inp', 'sub/x.inp'])).not.toContain('sub/x.frd');
    expect(expectedNames('code-aster', [])).toBeNull();
    expect(expectedNames(null, [])).toBeNull();
  });
});

describe('the cost of a pull', () => {
  it('prices a listing: folder lookup (unless cached) + pages until a short page', () => {
    expect(listingCost(5, false)).toBe(3); // one page does not tell the page size: one more call (empty or page 1 again)
    expect(listingCost(5, true)).toBe(2);
    expect(listingCost(200, true)).toBe(3); // a full page needs one more page to know it was the last
    expect(listingCost(250, false)).toBe(4);
    expect(listingCost(45, false, 20)).toBe(4);
  });
  it('asks by name when that is cheaper than listing a big folder', () => {
    const many = Array.from({ length: 600 }, (_, i) => `file${i}`);
    const p = planPull({ family: 'fds', pullEverything: false, localTopLevel: ['room.fds', ...many], folderIdKnown: false });
    expect(p.strategy).toBe('by-name');
    expect(p.lookupCalls).toBe(6);
    expect(p.names).toEqual(['FDS.tar.gz', 'cloudhpc.log', 'cloudhpc.err', 'cpu.csv', 'ram.csv', 'totcpu.csv']);
    expect(p.reason).toMatch(/6 view-by-path calls/);
  });
  it('lists a small folder (cheaper), and always when pulling everything or when names cannot be guessed', () => {
    expect(planPull({ family: 'fds', pullEverything: false, localTopLevel: ['room.fds'], folderIdKnown: false })).toMatchObject({ strategy: 'listing', lookupCalls: 3 });
    expect(planPull({ family: 'fds', pullEverything: false, localTopLevel: ['room.fds'], folderIdKnown: true })).toMatchObject({ strategy: 'listing', lookupCalls: 2 });
    const fresh = planPull({ family: 'fds', pullEverything: false, localTopLevel: ['room.fds'], folderIdKnown: true, refreshCache: true });
    expect(fresh).toMatchObject({ strategy: 'listing', lookupCalls: 3 });
    expect(fresh.reason).toMatch(/delete-cache/);
    expect(planPull({ family: 'fds', pullEverything: true, localTopLevel: [], folderIdKnown: true }).reason).toMatch(/pull everything/);
    expect(planPull({ family: 'code-aster', pullEverything: false, localTopLevel: Array.from({ length: 100 }, (_, i) => `f${i}`), folderIdKnown: false }).strategy).toBe('listing');
  });
});
