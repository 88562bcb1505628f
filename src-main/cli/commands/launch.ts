// cloudhpc-sync launch <dir>: pre-flight checks, push, then start one simulation on the case folder.
import { flagString, UsageError } from '../args';
import type { Command } from '../command';
import { EXIT } from '../exit-codes';
import { LaunchRefused } from '../../node/simulation/launch';
import { explainRam, INSTANCE_KINDS } from '../../node/simulation/options';
import { formatReport } from '../../node/simulation/preflight';
import { followStatus, sayOver } from '../render';
import { askYes } from './simulations-shared';

export const launch: Command = {
  name: 'launch',
  summary: 'Check a case, push it, and start a simulation on it',
  usage: `cloudhpc-sync launch <dir> [--cpu N] [--ram CLASS] [--script NAME] [--mesh FOLDER] [--spot] [--yes] [--force] [--refresh] [--json]
  What is not given is chosen as the app's launch dialog does: the newest offered script of the solver
  the case's files show, the smallest offered vCPU count that fits the case, RAM class standard.
  --cpu N          vCPU count (one of view-cpu)
  --ram CLASS      RAM class: ${['highcpu', 'standard', 'highmem'].map((r) => explainRam(r)).join('; ')} ...
  --script NAME    solver script (one of view-scripts), e.g. openFoam-v2406, fds6.9.1, custom-script
  --folder NAME    storage folder when the case is not a project yet (default: the folder's name)
  --mesh FOLDER    another storage folder whose constant/polyMesh and triSurface are copied in (OpenFOAM)
  --spot           ${INSTANCE_KINDS.spot}
                   (default, as in the app: ${INSTANCE_KINDS.regular})
  --regular        the default, accepted for scripts written for older versions
  --yes            launch despite pre-flight warnings (errors always refuse)
  --force          launch although a run is still active on the same storage folder (refused otherwise)
  --refresh        ask the offered cpu/ram/script lists again instead of the day-old cache
The case is pushed first: the run starts only when the storage equals the local case.`,
  examples: [
    'cloudhpc-sync launch ~/cases/cavity --yes                          # the app\'s preselection for the case',
    'cloudhpc-sync launch ~/cases/room_fire --cpu 8 --ram highmem --script fds6.9.1',
    'cloudhpc-sync launch ~/cases/cavity --force --yes                  # even while a run is active on its folder',
  ],
  valueFlags: ['cpu', 'ram', 'script', 'mesh', 'folder'],
  boolFlags: ['regular', 'spot', 'yes', 'refresh', 'force'],
  async run(args, ctx, signal) {
    const dir = args.positional[0];
    if (!dir || args.positional.length > 1) throw new UsageError('launch takes exactly one case folder.');
    const cpuFlag = flagString(args, 'cpu');
    const cpuGiven = cpuFlag === undefined ? null : Number(cpuFlag);
    if (cpuGiven !== null && (!Number.isInteger(cpuGiven) || cpuGiven <= 0)) throw new UsageError(`--cpu must be a vCPU count such as 4, not "${cpuFlag}".`);
    if (args.flags.has('spot') && args.flags.has('regular')) throw new UsageError('Choose --spot or --regular (the default), not both.');
    const regular = !args.flags.has('spot');
    const ws = await ctx.workspace({ api: true });
    const project = ws.ensureProject(dir, { storageFolder: flagString(args, 'folder') });
    const say = (line: string): void => { if (!ctx.json) sayOver(ctx, line); };
    // What is not given is what the app's launch dialog preselects for this case.
    let { cpu, ram, script } = { cpu: cpuGiven, ram: flagString(args, 'ram') ?? null, script: flagString(args, 'script') ?? null };
    // --refresh asks the offered lists once: here when they are needed for the choice, else in the launch.
    let refreshOptions = args.flags.has('refresh');
    if (cpu === null || ram === null || script === null) {
      await ws.runs.launchOptions(refreshOptions);
      refreshOptions = false;
      const c = await ws.runs.launchContext(project.id);
      const picked: string[] = [];
      if (script === null && c.suggested.script) { script = c.suggested.script; picked.push(`${script}${c.family ? ` (the newest ${c.family} script offered; ${c.family} case: ${c.evidence})` : ''}`); }
      if (cpu === null && c.suggested.cpu !== null) { cpu = c.suggested.cpu; picked.push(`${cpu} vCPU`); }
      if (ram === null && c.suggested.ram) { ram = c.suggested.ram; picked.push(`RAM class ${ram}`); }
      if (script === null || cpu === null || ram === null) {
        throw new UsageError(`No ${script === null ? 'solver script' : cpu === null ? 'vCPU count' : 'RAM class'} could be chosen for ${project.localDir}${c.family === null ? ' (no known solver input found)' : ''}: give --script NAME, --cpu N and --ram CLASS (cloudhpc-sync simulations --options lists them).`);
      }
      if (picked.length > 0) say(`Chosen as in the app: ${picked.join(', ')}.`);
    }
    const off = ws.on('projectState', followStatus(ctx));
    try {
      const r = await ws.runs.launch(project.id, { cpu, ram, script, mesh: flagString(args, 'mesh'), regular }, {
        refreshOptions,
        force: args.flags.has('force'),
        signal,
        onReport: (rep) => say(formatReport(rep)),
        onStep: (step) => {
          if (step === 'push') say(`Pushing ${project.localDir} to the storage folder "${project.storageFolder}" (the run starts only once the storage equals the case)...`);
          if (step === 'add') say('Starting the simulation...');
        },
        confirm: async () => args.flags.has('yes') || (await askYes(ctx, 'Launch despite these warnings?')),
      });
      if (ctx.json) {
        ctx.printJson({ id: r.id, projectId: project.id, storageFolder: project.storageFolder, script, cpu, ram, regular, preflight: r.report });
      } else {
        say(`Simulation ${r.id} started on "${project.storageFolder}" (${script}, ${cpu} vCPU, ${explainRam(ram, cpu)}, ${regular ? 'REGULAR' : 'SPOT'}).`);
        ctx.out(`Follow it: cloudhpc-sync wait ${r.id}   (log: cloudhpc-sync log ${r.id} --follow)`);
      }
      return EXIT.OK;
    } catch (e) {
      if (!(e instanceof LaunchRefused)) throw e;
      if (ctx.json) ctx.printJson({ error: e.message, code: e.code, activeRuns: e.activeRuns, preflight: e.report ?? null });
      const hint = e.code === 'warnings-declined' && !process.stdin.isTTY ? ' Add --yes to launch anyway.' : e.code === 'run-active' ? ' Add --force to launch anyway.' : '';
      ctx.err(`cloudhpc-sync launch: ${e.message}${hint}`);
      return e.code === 'invalid-choice' || e.code === 'bad-mesh' ? EXIT.USAGE : EXIT.FAILURE;
    } finally {
      off();
    }
  },
};
