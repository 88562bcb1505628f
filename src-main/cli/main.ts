// cloudhpc-sync command line (push, pull, watch, status, launch, ...). Commands are added by the engine issues.
console.error('cloudhpc-sync: no commands yet');
process.exitCode = 2;
