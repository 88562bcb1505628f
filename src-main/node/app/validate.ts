// Run-time checks of every request's params (the caller is untrusted: a renderer, a browser page).
import { z } from 'zod';
import type { ParamsOf, RequestName } from '../../common/contract';
import { SettingsPatchSchema } from '../workspace';

const empty = z.object({}).strict();
const projectId = z.string().min(1).max(100);
const simId = z.number().int().nonnegative();
const relPath = z.string().min(1).max(4096);
/** A storage path as typed ('' = the root); the storage module normalises and checks it. */
const storagePath = z.string().max(4096);
/** A local folder as typed (the core resolves it). */
const localDir = z.string().min(1).max(4096);
const launch = z.object({
  cpu: z.number().int().positive(),
  ram: z.string().min(1).max(64),
  script: z.string().min(1).max(200),
  mesh: z.string().max(500),
  regular: z.boolean(),
}).strict();
const openTarget = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('project-folder'), projectId }).strict(),
  z.object({ kind: z.literal('project-file'), projectId, path: relPath }).strict(),
  z.object({ kind: z.literal('conflict'), projectId, conflictId: z.string().min(1).max(200), side: z.enum(['local', 'cloud']) }).strict(),
  z.object({ kind: z.literal('external-url'), url: z.string().min(1).max(2000) }).strict(),
]);
const line = z.string().min(1).max(500);
const fixAction = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('retry-now') }).strict(),
  z.object({ kind: z.literal('review-deletes') }).strict(),
  z.object({ kind: z.literal('resolve-conflicts') }).strict(),
  z.object({ kind: z.literal('add-to-ignore'), lines: z.array(line).min(1).max(100) }).strict(),
  z.object({ kind: z.literal('rename'), path: relPath, to: relPath }).strict(),
  z.object({ kind: z.literal('set-cpu'), cpu: z.number().int().positive() }).strict(),
  z.object({ kind: z.literal('resume') }).strict(),
  z.object({ kind: z.literal('enter-key') }).strict(),
]);
const dropSource = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('path'), path: z.string().min(1).max(4096) }).strict(),
  z.object({ kind: z.literal('staged'), stagingId: z.string().regex(/^[a-f0-9]{32}$/), name: z.string().min(1).max(255) }).strict(),
]);

export const paramSchemas = {
  getState: empty,
  keyStatus: empty,
  setApiKey: z.object({ key: z.string().max(4096), allowInsecureStorage: z.boolean().optional() }).strict(),
  importCliKey: z.object({ allowInsecureStorage: z.boolean().optional() }).strict(),
  forgetApiKey: empty,
  addProject: z.object({ dir: z.string().min(1).max(4096), storageFolder: z.string().max(200).optional() }).strict(),
  removeProject: z.object({ projectId }).strict(),
  pauseProject: z.object({ projectId }).strict(),
  resumeProject: z.object({ projectId }).strict(),
  pauseAll: empty,
  resumeAll: empty,
  pushNow: z.object({ projectId, confirmed: z.boolean().optional() }).strict(),
  pullNow: z.object({ projectId }).strict(),
  resolveConflict: z.object({ projectId, conflictId: z.string().min(1).max(200), keep: z.enum(['local', 'cloud']) }).strict(),
  openPath: z.object({ target: openTarget }).strict(),
  dropFiles: z.object({ projectId: projectId.nullable(), sources: z.array(dropSource).min(1).max(1000) }).strict(),
  confirmDrop: z.object({ planId: z.string().min(1).max(100), replace: z.union([z.literal('all'), z.literal('none'), z.array(relPath).max(100_000)]) }).strict(),
  cancelDrop: z.object({ planId: z.string().min(1).max(100) }).strict(),
  launchOptions: z.object({ refresh: z.boolean().optional() }).strict(),
  preflight: z.object({ projectId, options: launch }).strict(),
  launchSimulation: z.object({ projectId, options: launch, acceptWarnings: z.boolean(), force: z.boolean().optional() }).strict(),
  stopSimulation: z.object({ id: simId, mode: z.enum(['soft', 'hard']), confirmed: z.boolean() }).strict(),
  syncSimulation: z.object({ id: simId }).strict(),
  watchSimulation: z.object({ id: simId.nullable() }).strict(),
  getLog: z.object({ id: simId, fromOffset: z.number().int().nonnegative() }).strict(),
  getRunInsight: z.object({ id: simId }).strict(),
  getSettings: empty,
  setSettings: z.object({ settings: SettingsPatchSchema }).strict(),
  windowVisibility: z.object({ visible: z.boolean() }).strict(),
  resolveDeletes: z.object({ projectId, decision: z.enum(['delete', 'restore']) }).strict(),
  applyFix: z.object({ projectId, fix: fixAction }).strict(),
  launchContext: z.object({ projectId }).strict(),
  listStorage: z.object({ path: storagePath, refresh: z.boolean().optional() }).strict(),
  planStorageDownload: z.object({ paths: z.array(storagePath).min(1).max(1000), dest: localDir, extract: z.boolean() }).strict(),
  planRunResults: z.object({ id: simId, dest: localDir, extract: z.boolean() }).strict(),
  planOpenFromCloud: z.object({ folder: storagePath, dir: localDir, merge: z.boolean() }).strict(),
  startStorageTransfer: z.object({ planId: z.string().min(1).max(100) }).strict(),
  cancelStorageTransfer: z.object({ id: z.string().min(1).max(100) }).strict(),
  planStorageDelete: z.object({ path: storagePath }).strict(),
  confirmStorageDelete: z.object({ planId: z.string().min(1).max(100), confirmMassDelete: z.boolean().optional() }).strict(),
  refreshSimulations: empty,
} satisfies { [K in RequestName]: z.ZodType };

export function parseParams<K extends RequestName>(name: K, params: unknown): ParamsOf<K> {
  return paramSchemas[name].parse(params ?? {}) as ParamsOf<K>;
}
