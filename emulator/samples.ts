// Small sample cases written into a given folder: reusable by the demo, tests and benchmarks.
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';

async function writeAll(dir: string, files: Record<string, string>): Promise<string[]> {
  for (const [rel, content] of Object.entries(files)) {
    const full = join(dir, ...rel.split('/'));
    await fsp.mkdir(join(full, '..'), { recursive: true });
    await fsp.writeFile(full, content);
  }
  return Object.keys(files).sort();
}

/** A small FDS case (one mesh, a burner, a thermocouple): `<dir>/room_fire.fds`. Returns the relative paths written. */
export async function writeFdsSample(dir: string, chid = 'room_fire'): Promise<string[]> {
  return writeAll(dir, {
    [`${chid}.fds`]: [
      `&HEAD CHID='${chid}', TITLE='Small room fire (cloudHPC Sync sample)' /`,
      `&TIME T_END=30.0 /`,
      `&MESH IJK=20,20,10, XB=0.0,4.0,0.0,4.0,0.0,2.4 /`,
      `&REAC FUEL='PROPANE', SOOT_YIELD=0.01 /`,
      `&SURF ID='BURNER', HRRPUA=500.0, COLOR='RASPBERRY' /`,
      `&OBST XB=1.8,2.2,1.8,2.2,0.0,0.2, SURF_IDS='BURNER','INERT','INERT' /`,
      `&VENT MB='XMIN', SURF_ID='OPEN' /`,
      `&DEVC ID='TC01', QUANTITY='TEMPERATURE', XYZ=2.0,2.0,2.3 /`,
      `&TAIL /`,
      '',
    ].join('\n'),
  });
}

const foamHeader = (cls: string, obj: string, location = ''): string =>
  `FoamFile\n{\n    version     2.0;\n    format      ascii;\n    class       ${cls};\n${location ? `    location    "${location}";\n` : ''}    object      ${obj};\n}\n`;

/** A small OpenFOAM case (cavity-like, simpleFoam): 0/, constant/, system/. Returns the relative paths written. */
export async function writeOpenFoamSample(dir: string): Promise<string[]> {
  return writeAll(dir, {
    '0/U': `${foamHeader('volVectorField', 'U', '0')}\ndimensions      [0 1 -1 0 0 0 0];\ninternalField   uniform (0 0 0);\nboundaryField\n{\n    movingWall { type fixedValue; value uniform (1 0 0); }\n    fixedWalls { type noSlip; }\n    frontAndBack { type empty; }\n}\n`,
    '0/p': `${foamHeader('volScalarField', 'p', '0')}\ndimensions      [0 2 -2 0 0 0 0];\ninternalField   uniform 0;\nboundaryField\n{\n    movingWall { type zeroGradient; }\n    fixedWalls { type zeroGradient; }\n    frontAndBack { type empty; }\n}\n`,
    'constant/transportProperties': `${foamHeader('dictionary', 'transportProperties', 'constant')}\ntransportModel  Newtonian;\nnu              0.01;\n`,
    'constant/momentumTransport': `${foamHeader('dictionary', 'momentumTransport', 'constant')}\nsimulationType laminar;\n`,
    'system/controlDict': `${foamHeader('dictionary', 'controlDict', 'system')}\napplication     simpleFoam;\nstartFrom       startTime;\nstartTime       0;\nstopAt          endTime;\nendTime         500;\ndeltaT          1;\nwriteControl    timeStep;\nwriteInterval   100;\n`,
    'system/fvSchemes': `${foamHeader('dictionary', 'fvSchemes', 'system')}\nddtSchemes { default steadyState; }\ngradSchemes { default Gauss linear; }\ndivSchemes { default none; div(phi,U) bounded Gauss linearUpwind grad(U); }\nlaplacianSchemes { default Gauss linear corrected; }\n`,
    'system/fvSolution': `${foamHeader('dictionary', 'fvSolution', 'system')}\nsolvers\n{\n    p { solver GAMG; tolerance 1e-06; relTol 0.1; smoother GaussSeidel; }\n    U { solver smoothSolver; smoother symGaussSeidel; tolerance 1e-05; relTol 0.1; }\n}\nSIMPLE { nNonOrthogonalCorrectors 0; }\n`,
    'system/blockMeshDict': `${foamHeader('dictionary', 'blockMeshDict', 'system')}\nconvertToMeters 0.1;\nvertices ( (0 0 0) (1 0 0) (1 1 0) (0 1 0) (0 0 0.1) (1 0 0.1) (1 1 0.1) (0 1 0.1) );\nblocks ( hex (0 1 2 3 4 5 6 7) (20 20 1) simpleGrading (1 1 1) );\n`,
    'system/decomposeParDict': `${foamHeader('dictionary', 'decomposeParDict', 'system')}\nnumberOfSubdomains 2;\nmethod scotch;\n`,
  });
}
