@echo off
rem vpexcel: installera för den här användaren, utan administratörsrätt. Dubbelklicka.
rem Kör install.ps1 i samma mapp med PowerShell (endast för den här processen: -ExecutionPolicy Bypass).
rem VPEXCEL_POWERSHELL byter PowerShell (för testerna), VPEXCEL_NOPAUSE=1 stänger utan att vänta.
chcp 65001 >nul
setlocal
set "VPEXCEL_HERE=%~dp0"
if not exist "%VPEXCEL_HERE%install.ps1" (
  echo Filen install.ps1 saknas bredvid installera.cmd. Packa upp hela zip-filen och försök igen.
  if not "%VPEXCEL_NOPAUSE%"=="1" pause
  exit /b 2
)
set "VPEXCEL_PS=%VPEXCEL_POWERSHELL%"
if "%VPEXCEL_PS%"=="" set "VPEXCEL_PS=powershell.exe"
set "VPEXCEL_FLAGS="
if "%VPEXCEL_NOPAUSE%"=="1" set "VPEXCEL_FLAGS=-NoPause"
call "%VPEXCEL_PS%" -NoProfile -ExecutionPolicy Bypass -File "%VPEXCEL_HERE%install.ps1" %VPEXCEL_FLAGS% %*
set "VPEXCEL_RC=%ERRORLEVEL%"
if "%VPEXCEL_RC%"=="9009" (
  echo PowerShell kunde inte startas, kanske av en regel hos IT. Be IT installera vpexcel enligt avsnittet För IT i dokumentation\excel.md.
  if not "%VPEXCEL_NOPAUSE%"=="1" pause
)
exit /b %VPEXCEL_RC%
