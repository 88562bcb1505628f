@echo off
rem `cloudhpc-sync` from the installed desktop app (Windows), as VS Code's code.cmd does: runs the
rem app's own Electron as Node on the CLI bundle inside app.asar. Installed as
rem <install folder>\resources\bin\cloudhpc-sync.cmd: add that folder to PATH (README).
setlocal
set ELECTRON_RUN_AS_NODE=1
"%~dp0..\..\cloudHPC Sync.exe" "%~dp0..\app.asar\out\cli\cloudhpc-sync.cjs" %*
endlocal & exit /b %ERRORLEVEL%
