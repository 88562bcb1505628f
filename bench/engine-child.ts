// The engine side of the benchmarks, run in its own process so that its peak RSS and CPU time can be
// read from /proc/<pid>/ by the parent. The parent sends one command at a time over the IPC channel;
// every reply carries the time measured here (performance.now()) around the engine's public API.
// Uses only public surfaces: CloudHpcClient, ProjectRegistry, SyncService.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import PQueue from 'p-queue';
import { CloudHpcClient } from '../src-main/node/api/client';
import { ProjectRegistry } from '../src-main/node/project/registry';
import type { ProjectSettings } from '../src-main/node/project/settings';
import { pullText } from '../src-main/node/sync/pull';
import { SyncService } from '../src-main/node/sync/service';
import type { ProjectStatus } from '../src-main/node/sync/status';
import type { ChildCommand, ChildReply } from './lib/child-protocol';

let client: CloudHpcClient | null = null;
let service: SyncService | null = null;
let script: string | null = null;
/** The watcher backend the engine reported last ('@parcel/watcher' or 'chokidar, folders only'). */
let backend = '';

function needClient(): CloudHpcClient {
  if (!client) throw new Error('init first');
  return client;
}

function needService(): SyncService {
  if (!service) throw new Error('init with a home first');
  return service;
}

/** Resolves with the first state for which pred holds (or rejects after timeoutMs). */
function waitState(svc: SyncService, pred: (s: ProjectStatus) => boolean, timeoutMs: number): Promise<ProjectStatus> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no matching engine state within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = svc.on('state', (s) => {
      if (!pred(s)) return;
      clearTimeout(timer);
      off();
      resolve(s);
    });
  });
}

async function handle(cmd: ChildCommand): Promise<ChildReply> {
  switch (cmd.cmd) {
    case 'init': {
      client = new CloudHpcClient({ baseUrl: cmd.url, apiKey: cmd.apiKey });
      script = cmd.script ?? null;
      if (cmd.home) {
        const c = client;
        service = new SyncService({
          registry: new ProjectRegistry(cmd.home),
          cloud: c,
          budgetLeft: () => c.budget.state().hourlyLeft,
          scriptOf: () => script,
          log: (_level, message) => {
            const m = /Watching .* \((.+)\)$/.exec(message);
            if (m) backend = m[1] as string;
          },
        });
      }
      return { ok: true };
    }
    case 'upload-file': {
      const t0 = performance.now();
      const r = await needClient().uploadFile(cmd.path, { dirname: cmd.dirname, filename: cmd.filename });
      return { ok: true, ms: performance.now() - t0, bytes: r.bytes };
    }
    case 'upload-each': {
      // Client level: one upload-url call per file, at the engine's push concurrency.
      const c = needClient();
      const q = new PQueue({ concurrency: cmd.concurrency });
      const t0 = performance.now();
      let failed = 0;
      for (const rel of cmd.files) {
        const slash = rel.lastIndexOf('/');
        const dir = slash < 0 ? cmd.storageFolder : `${cmd.storageFolder}/${rel.slice(0, slash)}`;
        void q.add(async () => {
          try {
            await c.uploadFile(join(cmd.root, rel), { dirname: dir, filename: rel.slice(slash + 1) });
          } catch {
            failed++;
          }
        });
      }
      await q.onIdle();
      return { ok: true, ms: performance.now() - t0, failed };
    }
    case 'add-project': {
      const p = needService().addProject(cmd.dir, { storageFolder: cmd.storageFolder, settings: cmd.settings as Partial<ProjectSettings> | undefined });
      return { ok: true, projectId: p.id };
    }
    case 'sync-now': {
      const svc = needService();
      const t0 = performance.now();
      const r = await svc.syncNow(cmd.projectId);
      return { ok: true, ms: performance.now() - t0, strategy: r.plan.strategy, plannedCalls: r.plan.apiCalls, uploaded: r.outcome?.uploaded.length ?? 0, detail: svc.status(cmd.projectId).detail };
    }
    case 'ensure-pushed': {
      // A first push as the user's "push" does it: waits for changing files to settle, resolves when pushed.
      // ensurePushed resolves with its last (clean) cycle: what was pushed is read from the states on the way.
      const svc = needService();
      let pushing = '';
      let strategy = 'none';
      const off = svc.on('state', (s) => {
        if (s.state !== 'pushing' || pushing) return;
        pushing = s.detail;
        strategy = s.nextPush?.strategy ?? 'unknown';
      });
      const t0 = performance.now();
      try {
        await svc.ensurePushed(cmd.projectId, { timeoutMs: cmd.timeoutMs });
      } finally {
        off();
      }
      const beside = Number(/and (\d+) large files? beside/.exec(pushing)?.[1] ?? (strategy === 'singles' ? /Pushing (\d+) file/.exec(pushing)?.[1] ?? 0 : 0));
      return { ok: true, ms: performance.now() - t0, strategy, beside, detail: pushing };
    }
    case 'watch-until-idle': {
      // A (re)start: watch, then wait for the first cycle to end in 'idle' after its scan.
      const svc = needService();
      let scanned = false;
      const off = svc.on('state', (s) => { if (s.state === 'scanning') scanned = true; });
      const t0 = performance.now();
      const idle = waitState(svc, (s) => scanned && s.state === 'idle', cmd.timeoutMs);
      await svc.watch([cmd.projectId]);
      const readyMs = performance.now() - t0;
      const s = await idle;
      off();
      return { ok: true, ms: performance.now() - t0, readyMs, detail: s.detail, watch: s.watch, backend };
    }
    case 'edit': {
      // The user's write, then the engine's "pushed" (the cycle that pushed it ends in idle/'Pushed').
      const svc = needService();
      let kind = '';
      const offA = svc.on('activity', (a) => { if (a.kind === 'pushed' || a.kind === 'snapshot') kind = a.kind; });
      const done = waitState(svc, (s) => s.state === 'idle' && kind !== '' && s.detail === 'Pushed', cmd.timeoutMs);
      const t0 = performance.now();
      await writeFile(cmd.path, cmd.content);
      const s = await done;
      offA();
      return { ok: true, ms: performance.now() - t0, kind, detail: s.detail, strategy: s.nextPush?.strategy ?? null };
    }
    case 'note-sim-running': {
      // What the app tells the engine about a run of the project: submitted, then seen RUNNING
      // (past extraction: the archive's content is materialised in storage).
      const svc = needService();
      svc.noteSimulationStarted(cmd.projectId);
      svc.noteSimulationRunning(cmd.projectId);
      return { ok: true };
    }
    case 'pull': {
      const svc = needService();
      const t0 = performance.now();
      const r = await svc.pull(cmd.projectId, { priority: 'user' });
      return { ok: true, ms: performance.now() - t0, detail: pullText.summary(r) };
    }
    case 'close': {
      await service?.close();
      await client?.close();
      service = null;
      client = null;
      return { ok: true };
    }
  }
}

process.on('message', (m: ChildCommand) => {
  handle(m).then(
    (r) => process.send?.(r),
    (e: unknown) => process.send?.({ ok: false, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) } satisfies ChildReply),
  );
});
process.on('disconnect', () => process.exit(0));
process.send?.({ ok: true, ready: true } satisfies ChildReply);
