// Short excerpts of real solver logs (whitespace as published), each with where it comes from.
// Lines marked "(composed)" are put together from the formats shown in the named source.

/** FDS 6 standard output, firemodels/fds issue #8208 (Steckler_010, TIME_SHRINK_FACTOR case). */
export const FDS_STDOUT = ` Time Step:  23500, Simulation Time:    178.38 s
 Time Step:  23600, Simulation Time:    179.21 s
 Time Step:  23696, Simulation Time:    180.00 s

STOP: FDS completed successfully (CHID: Steckler_010)
`;

/** FDS 5.3 standard output, firemodels/fds issue #724. */
export const FDS5_STDOUT = ` Fire Dynamics Simulator

 Compilation Date : Fri, 30 Jan 2009
 Version          : 5.3.0 Parallel
 SVN Revision No. : 3193

 Job TITLE        : FW-2
 Job ID string    : FW-Block

 Time Step: 606000,    Simulation Time:   1759.46 s
 Time Step: 606100,    Simulation Time:   1759.53 s
 Time Step: 606200,    Simulation Time:   1759.60 s
`;

/** FDS .out run-time diagnostics, firemodels/fds issue #10178 (couch.fds, 2021); second step (composed). */
export const FDS_OUT = `       Time Step      50   December 28, 2021  12:00:43
       Step Size:    0.659E-01 s, Total Time:       4.15 s
       Pressure Iterations: 1
       Maximum Velocity Error:  0.12E-01 on Mesh 1 at (16,8,11)
       Maximum Pressure Error:  0.82E+00 on Mesh 1 at (15,8,15)
       ---------------------------------------------------------------
       Max CFL number:  0.80E+00 at (15,8,13)
       Max divergence:  0.48E+00 at (16,8,7)
       Min divergence: -0.11E+00 at (15,8,14)
       Max VN number:   0.36E+00 at (15,8,21)
       No. of Lagrangian Particles:  3
 
       Time Step      60   December 28, 2021  12:00:43
       Step Size:    0.650E-01 s, Total Time:       4.80 s
       Pressure Iterations: 2
       Maximum Velocity Error:  0.15E-01 on Mesh 1 at (16,8,11)
`;

/** FDS .out with ScaRC and several meshes, firemodels/fds issue #1105 (2018). */
export const FDS_OUT_MESHES = `       Time Step   24439   May 14, 2018  22:49:30
       Step Size:    0.341E-03 s, Total Time:     100.00 s
       Pressure Iterations:      1
       Maximum Velocity Error:  0.44E-15 on Mesh   1 at (   0  13  16)
       Maximum Pressure Error:  0.00E+00 on Mesh   1 at (   0   0   0)
       ScaRC: iterations   111, residual  0.62E-10, convergence rate   0.70E+00
       ---------------------------------------------------------------
       Mesh    1
       Max CFL number:  0.61E-01 at (   5,  16,  14)
       Mesh    2
       Max CFL number:  0.67E-01 at (  20,  17,  12)
       Mesh    3
       Max CFL number:  0.73E-01 at (  11,   7,  13)
`;

/** FDS 6 (2014) .out block where the values come before the time line, from a parser's test in FDSUtilities. */
export const FDS_OUT_2014 = `       Time Step       1   April  7, 2014  09:07:24
       Pressure Iterations:      1
       Maximum Velocity Error:  0.11E-01 on Mesh   2 at (  55   0   9)
       ----------------------------------------------
       Mesh    1, Cycle       1
       CPU/step:     1.872 s, Total CPU:        1.87 s
       Time step:  0.28868 s, Total time:       0.29 s
       Max CFL number:  0.11E-01 at ( 91, 42,  3)
`;

/** FDS stopping on an instability, firemodels/fds issue #9507 (message text) with a progress line (composed). */
export const FDS_INSTABILITY = ` Time Step:   2031, Simulation Time:    203.13 s
ERROR: Numerical Instability - FDS stopped (CHID: Hepterium_DF2)
`;

/** simpleFoam, gerlero/openfoam-app issue #160 (backwardFacingStep2D). */
export const FOAM_SIMPLE = `smoothSolver:  Solving for Ux, Initial residual = 0.000678332, Final residual = 4.52615e-05, No Iterations 6
smoothSolver:  Solving for Uy, Initial residual = 0.00562139, Final residual = 0.000384039, No Iterations 6
GAMG:  Solving for p, Initial residual = 0.00373882, Final residual = 0.000315938, No Iterations 6
time step continuity errors : sum local = 0.0149028, global = 0.00139143, cumulative = 1.23859
smoothSolver:  Solving for epsilon, Initial residual = 0.000522277, Final residual = 3.52344e-05, No Iterations 3
smoothSolver:  Solving for k, Initial residual = 0.00115801, Final residual = 7.41111e-05, No Iterations 4
ExecutionTime = 4.27 s  ClockTime = 16 s

Time = 231

smoothSolver:  Solving for Ux, Initial residual = 0.000659003, Final residual = 4.42925e-05, No Iterations 6
smoothSolver:  Solving for Uy, Initial residual = 0.00536634, Final residual = 0.000365175, No Iterations 6
GAMG:  Solving for p, Initial residual = 0.00357685, Final residual = 0.00029786, No Iterations 6
time step continuity errors : sum local = 0.0140237, global = 0.00132726, cumulative = 1.23992
`;

/** Diverging pimpleFoam (Courant before Time, then a floating point exception), precice/tutorials PR #476, OpenFOAM v2312. */
export const FOAM_DIVERGING = `Courant Number mean: 51.1606 max: 4247.53
Time = 0.3

PIMPLE: iteration 1
diagonal:  Solving for rho, Initial residual = 0, Final residual = 0, No Iterations 0
DILUPBiCGStab:  Solving for Ux, Initial residual = 0.802428, Final residual = 3.49139e-07, No Iterations 36
DILUPBiCGStab:  Solving for Uy, Initial residual = 0.779756, Final residual = 7.00548e-08, No Iterations 40
DILUPBiCGStab:  Solving for h, Initial residual = 0.868425, Final residual = 7.90218e-07, No Iterations 35
DICPCG:  Solving for p_rgh, Initial residual = 0.841614, Final residual = 0.00718705, No Iterations 70
diagonal:  Solving for rho, Initial residual = 0, Final residual = 0, No Iterations 0
time step continuity errors : sum local = 4.42713, global = -3.13549, cumulative = -3.14201
DICPCG:  Solving for p_rgh, Initial residual = 0.699451, Final residual = 8.56824e-09, No Iterations 186
[stack trace]
=============
#1  Foam::sigFpe::sigHandler(int) in /usr/lib/openfoam/openfoam2312/platforms/linux64GccDPInt32Opt/lib/libOpenFOAM.so
`;

/** pimpleFoam-style step with deltaT, the CFD Support OpenFOAM training's "Iteration output" (icoFoam order: Courant after Time). */
export const FOAM_ICO = `Time = 0.49

Courant Number mean: 0.222158 max: 0.852134
DILUPBiCG:  Solving for Ux, Initial residual = 2.09588e-07, Final residual = 2.09588e-07, No Iterations 0
DICPCG:  Solving for p, Initial residual = 1.0746e-06, Final residual = 3.53797e-07, No Iterations 1
time step continuity errors : sum local = 9.1113e-09, global = -6.21295e-19, cumulative = 1.23378e-18
ExecutionTime = 0.27 s  ClockTime = 0 s
`;

/** OpenFOAM banner in a parallel run, ladybug-tools/butterfly issue #243 (v1612+). */
export const FOAM_BANNER = `Build : v1612+
Exec : buoyantBoussinesqSimpleFoam -parallel
Date : May 22 2017
Time : 10:18:58
Host : "default"
PID : 2839
nProcs : 4
`;

/** Open MPI's tagged output (mpirun --tag-output) around OpenFOAM lines (composed from the Open MPI format). */
export const FOAM_MPI_TAGGED = `[1,0]<stdout>:Time = 0.002
[1,0]<stdout>:
[1,2]<stderr>:[2] --> FOAM Warning : From function ... (processor 2)
[1,0]<stdout>:DICPCG:  Solving for p, Initial residual = 0.5, Final residual = 0.004, No Iterations 12
[1,0]<stdout>:Time = 0.003
`;

/** code_saturne's step header (cs_time_loop.c format `" INSTANT %18.9f    TIME STEP NUMBER %15d"`). */
export const SATURNE = `
 INSTANT        0.200000000    TIME STEP NUMBER              20
 ==============================================================


 INSTANT        0.210000000    TIME STEP NUMBER              21
 ==============================================================
`;

/** code_aster's instant message (MECANONLINE6_1, bibpyt/Messages/mecanonline6.py). */
export const ASTER = `
 Instant de calcul:  2.000000000000e-01 - Niveau de découpe: 1

 Instant de calcul:  3.000000000000e-01
`;

/** CalculiX increments (printf formats of ccx's nonlingeo.c) with a cut-back and reattempt (precice/calculix-adapter#138). */
export const CALCULIX = ` increment 1 attempt 1 
 increment size= 1.000000e-01
 sum of previous increments=0.000000e+00
 actual step time=1.000000e-01
 actual total time=1.000000e-01

 iteration 1

 convergence

 increment 2 attempt 1 
 increment size= 2.000000e-01
 sum of previous increments=1.000000e-01
 actual step time=3.000000e-01
 actual total time=3.000000e-01

 too slow convergence; the increment size is decreased to 1.000000e-01
 the increment is reattempted

 increment 2 attempt 2 
 increment size= 1.000000e-01
 sum of previous increments=1.000000e-01
 actual step time=2.000000e-01
 actual total time=2.000000e-01

 convergence

 Job finished
`;
