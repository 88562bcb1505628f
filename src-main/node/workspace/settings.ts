// App-wide settings (base URL, polling share, pull/extract defaults, notifications, start at login,
// close to tray): one JSON file in the app data folder, validated, replaced atomically.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Settings } from '../../common/contract';
import { DEFAULT_BASE_URL } from '../api/client';
import { serviceUrlProblem } from '../api/service-url';
import { writeFileAtomicSync } from '../project/atomic-write';

const HttpUrl = z.string().trim().superRefine((s, ctx) => {
  const problem = serviceUrlProblem(s, DEFAULT_BASE_URL);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

export const SettingsSchema = z.object({
  baseUrl: HttpUrl.default(DEFAULT_BASE_URL),
  pollingShare: z.number().min(0.05).max(0.9).default(1 / 3),
  pullAll: z.boolean().default(false),
  extractArchives: z.boolean().default(true),
  notifications: z.object({
    simulationEnded: z.boolean().default(true),
    resultsPulled: z.boolean().default(true),
    conflict: z.boolean().default(true),
    keyRejected: z.boolean().default(true),
    simulationWarning: z.boolean().default(true),
  }).default({ simulationEnded: true, resultsPulled: true, conflict: true, keyRejected: true, simulationWarning: true }),
  startAtLogin: z.boolean().default(false),
  closeToTray: z.boolean().default(true),
});

export const SettingsPatchSchema = SettingsSchema.partial().extend({
  notifications: SettingsSchema.shape.notifications.unwrap().partial().optional(),
}).strict();

export class SettingsStore {
  readonly file: string;
  private current: Settings;

  /** `baseUrlOverride` (CLOUDHPC_API_URL) wins over the file without being written to it. */
  constructor(home: string, private readonly baseUrlOverride: string | null = null) {
    this.file = join(home, 'settings.json');
    this.current = this.load();
  }

  private load(): Settings {
    if (!existsSync(this.file)) return SettingsSchema.parse({});
    try {
      const parsed = SettingsSchema.safeParse(JSON.parse(readFileSync(this.file, 'utf8')));
      if (parsed.success) return parsed.data;
    } catch {
      // unreadable: defaults, and the file is replaced at the next change
    }
    return SettingsSchema.parse({});
  }

  get(): Settings {
    const s = structuredClone(this.current);
    if (this.baseUrlOverride) s.baseUrl = this.baseUrlOverride;
    return s;
  }

  /** Validates and persists a partial change; returns the new settings. Throws ZodError on bad input. */
  update(patch: unknown): Settings {
    const p = SettingsPatchSchema.parse(patch);
    const next = SettingsSchema.parse({ ...this.current, ...p, notifications: { ...this.current.notifications, ...(p.notifications ?? {}) } });
    writeFileAtomicSync(this.file, `${JSON.stringify(next, null, 2)}\n`);
    this.current = next;
    return this.get();
  }
}
