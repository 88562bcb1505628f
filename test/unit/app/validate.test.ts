import { describe, expect, it } from 'vitest';
import { REQUEST_NAMES } from '../../../src-main/common/contract';
import { paramSchemas, parseParams } from '../../../src-main/node/app/validate';

describe('request params are checked at run time', () => {
  it('has a schema for every request of the contract', () => {
    expect(Object.keys(paramSchemas).sort()).toEqual([...REQUEST_NAMES].sort());
  });

  it('accepts well-formed params', () => {
    expect(parseParams('stopSimulation', { id: 3, mode: 'hard', confirmed: true })).toEqual({ id: 3, mode: 'hard', confirmed: true });
    expect(parseParams('dropFiles', { projectId: null, sources: [{ kind: 'staged', stagingId: 'a'.repeat(32), name: 'case' }] })).toBeTruthy();
    expect(parseParams('getState', undefined)).toEqual({});
  });

  it('refuses unknown fields, wrong types and hostile values', () => {
    expect(() => parseParams('getState', { extra: 1 })).toThrow();
    expect(() => parseParams('stopSimulation', { id: '3', mode: 'soft', confirmed: false })).toThrow();
    expect(() => parseParams('stopSimulation', { id: 3, mode: 'kill', confirmed: false })).toThrow();
    expect(() => parseParams('dropFiles', { projectId: 'p', sources: [{ kind: 'staged', stagingId: '../../etc', name: 'x' }] })).toThrow();
    expect(() => parseParams('dropFiles', { projectId: 'p', sources: [] })).toThrow();
    expect(() => parseParams('setSettings', { settings: { pollingShare: 2 } })).toThrow();
    expect(() => parseParams('setSettings', { settings: { baseUrl: 'file:///etc/passwd' } })).toThrow();
    expect(() => parseParams('openPath', { target: { kind: 'shell', command: 'rm' } })).toThrow();
  });
});
