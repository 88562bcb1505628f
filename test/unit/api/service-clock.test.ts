// The service's clock offset: its dates carry no time zone (the service runs in Italy), so the
// offset is learnt from a run we created, rounded to 15 minutes; until then only edate − idate.
import { describe, expect, it } from 'vitest';
import { ServiceClock, serviceDateAsUtc } from '../../../src-main/node/api/service-clock';

describe('ServiceClock', () => {
  it('gives durations from edate − idate only until the offset is known', () => {
    const c = new ServiceClock(() => Date.UTC(2026, 8, 24, 8, 0, 0));
    expect(c.offsetMs).toBeNull();
    expect(c.elapsedSeconds({ idate: '2026-09-24 09:31:20', edate: '2026-09-24 09:33:20' })).toBe(120);
    expect(c.elapsedSeconds({ idate: '2026-09-24 09:31:20', edate: null })).toBeNull();
    expect(c.elapsedSeconds({ idate: null, edate: null })).toBeNull();
    expect(c.toEpochMs('2026-09-24 09:31:20')).toBeNull();
  });

  it('learns the offset from the idate of a run we created (Italy in summer: +2 h), rounded to 15 minutes', () => {
    let now = Date.UTC(2026, 8, 24, 7, 31, 0); // 07:31 UTC = 09:31 in Rome (CEST)
    const c = new ServiceClock(() => now);
    c.noteCreated(10030, now);
    c.noteSeen([{ id: 10029, idate: '2026-09-24 01:00:00' }]); // not ours: nothing learnt
    expect(c.offsetMs).toBeNull();
    c.noteSeen([{ id: 10030, idate: '2026-09-24 09:31:20' }]); // the service's clock, 20 s of delay
    expect(c.offsetMs).toBe(2 * 3_600_000);
    expect(c.toEpochMs('2026-09-24 09:31:20')).toBe(Date.UTC(2026, 8, 24, 7, 31, 20));
    now = Date.UTC(2026, 8, 24, 7, 41, 20);
    expect(c.elapsedSeconds({ idate: '2026-09-24 09:31:20', edate: null })).toBe(600);
    // a run that ended without an edate is not given a growing duration
    expect(c.elapsedSeconds({ idate: '2026-09-24 09:31:20', edate: null }, false)).toBeNull();
    expect(c.elapsedSeconds({ idate: '2026-09-24 09:31:20', edate: '2026-09-24 09:32:20' })).toBe(60);
  });

  it('reads the service date format only', () => {
    expect(serviceDateAsUtc('2026-09-24 09:31:20')).toBe(Date.UTC(2026, 8, 24, 9, 31, 20));
    expect(serviceDateAsUtc('')).toBeNull();
    expect(serviceDateAsUtc('yesterday')).toBeNull();
  });
});
