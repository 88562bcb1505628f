// cloudhpc-sync launch <dir>: pre-flight checks, push, then start one simulation on the case folder.
import { flagNumber, flagString, UsageError } from '../args';
import type { Command } from '../command';
import { EXIT } from '../exit-codes';
import { LaunchRefused } from '../../node/simulation/launch';
import { explainRam, INSTANCE_KINDS } from '../../node/simulation/options';
import { formatReport } from '../../node/simulation/preflight';
import { followStatus } from '../render';
import { askYes } from './simulations-shared';

export const launch: Command = {
  name: 'launch',
  summary: 'Check a case, push it, and start a simulation on it',
  usage: `cloudhpc-sync launch <dir> --cpu N --ram CLASS --script NAME [--mesh FOLDER] [--spot] [--yes] [--refresh] [--json]
  --cpu N          vCPU count (one of view-cpu)
  --ram CLASS      RAM class: ${['highcpu', 'standard', 'highmem'].map((r) => explainRam(r)).join('; ')} ...
  --script NAME    solver script (one of view-scripts), e.g. openFoam-v2406, fds6.9.1, custom-script
  --folder NAME    storage folder when the case is not a project yet (default: the folder's name)
  --mesh FOLDER    another storage folder whose constant/polyMesh and triSurface are copied in (OpenFOAM)
  --spot           ${INSTANCE_KINDS.spot}
                   (default, as in the app: ${INSTANCE_KINDS.regular})
  --regular        the default, accepted for scripts written for older versions
  --yes            launch despite pre-flight warnings (errors always refuse)
  --refresh        ask the offered cpu/ram/script lists again instead of the day-old cache
The case is pushed first: the run starts only when the storage equals the local case.`,
  valueFlags: ['cpu', 'ram', 'script', 'mesh', 'folder'],
  boolFlags: ['regular', 'spot', 'yes', 'refresh'],
  async run(args, ctx, signal) {
    const dir = args.positional[0];
    if (!dir || args.positional.length > 1) throw new UsageError('launch takes exactly one case folder.');
    const cpu = flagNumber(args, 'cpu', NaN);
    const ram = flagString(args, 'ram');
    const script = flagString(args, 'script');
    if (!Number.isInteger(cpu) || cpu <= 0 || !ram || !script) throw new UsageError('launch needs --cpu N, --ram CLASS and --script NAME (cloudhpc-sync launch --help).');
    if (args.flags.has('spot') && args.flags.has('regular')) throw new UsageError('Choose --spot or --regular (the default), not both.');
    const regular = !args.flags.has('spot');
    const ws = await ctx.workspace({ api: true });
    const project = ws.ensureProject(dir, { storageFolder: flagString(args, 'folder') });
    const say = (line: string): void => { if (!ctx.json) ctx.out(line); };
    const off = ws.on('projectState', followStatus(ctx));
    try {
      const r = await ws.runs.launch(project.id, { cpu, ram, script, mesh: flagString(args, 'mesh'), regular }, {
        refreshOptions: args.flags.has('refresh'),
        signal,
        onReport: (rep) => say(formatReport(rep)),
        onStep: (step) => {
          if (step === 'push') say(`Pushing ${project.localDir} to the storage folder "${project.storageFolder}" (the run starts only once the storage equals the case)...`);
          if (step === 'add') say('Starting the simulation...');
        },
        confirm: async () => args.flags.has('yes') || (await askYes(ctx, 'Launch despite these warnings?')),
      });
      if (ctx.json) {
        ctx.printJson({ id: r.id, projectId: project.id, storageFolder: project.storageFolder, regular, preflight: r.report });
      } else {
        ctx.out(`Simulation ${r.id} started on "${project.storageFolder}" (${script}, ${cpu} vCPU, ${explainRam(ram, cpu)}, ${regular ? 'REGULAR' : 'SPOT'}).`);
        ctx.out(`Follow it: cloudhpc-sync wait ${r.id}   (log: cloudhpc-sync log ${r.id} --follow)`);
      }
      return EXIT.OK;
    } catch (e) {
      if (!(e instanceof LaunchRefused)) throw e;
      if (ctx.json) ctx.printJson({ error: e.message, code: e.code, preflight: e.report ?? null });
      ctx.err(`Launch refused: ${e.message}${e.code === 'warnings-declined' && !process.stdin.isTTY ? ' Add --yes to launch anyway.' : ''}`);
      return e.code === 'invalid-choice' || e.code === 'bad-mesh' ? EXIT.USAGE : EXIT.FAILURE;
    } finally {
      off();
    }
  },
};
