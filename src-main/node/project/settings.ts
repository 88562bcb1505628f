// Per-project settings (persisted with the project in the registry).
import { z } from 'zod';

export const ProjectSettingsSchema = z.object({
  /** 'results': pull the known result files only (frugal); 'everything': list the folder and pull all that is new. */
  pullMode: z.enum(['results', 'everything']).default('results'),
  /** Extract result archives in place after pulling them. */
  extractArchives: z.boolean().default(true),
  /** A file counts as changed once its size and mtime stayed the same this long (ms). */
  quietPeriodMs: z.number().int().min(0).max(600_000).default(2000),
  /** A push batch deleting more files than this stops and asks. */
  massDeleteThreshold: z.number().int().min(0).default(50),
  /** ...or more than this share of the files we pushed. */
  massDeleteRatio: z.number().min(0).max(1).default(0.3),
  /** Prefer single-file uploads when the change set costs at most this many API calls. */
  maxSingleCalls: z.number().int().min(0).max(1000).default(5),
  /** Files at least this large go beside the push's archive as single uploads (bytes). */
  largeFileBytes: z.number().int().min(1).default(16 * 1024 * 1024),
  /** At most this many single uploads beside one archive (each costs an API call). */
  maxBeside: z.number().int().min(0).max(100).default(8),
  /** Full rescan period while watching (ms); also the fallback when the watcher fails. */
  rescanIntervalMs: z.number().int().min(1000).default(300_000),
  /** Sync is paused for this project. */
  paused: z.boolean().default(false),
});

export type ProjectSettings = z.infer<typeof ProjectSettingsSchema>;

export function defaultSettings(): ProjectSettings {
  return ProjectSettingsSchema.parse({});
}
