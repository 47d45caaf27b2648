# vpexcel: installation för en användare, utan administratörsrätt. Körs av installera.cmd.
#
# Steg (samma steg som docs/excel.md skriver ut för IT):
#   1. kopierar den uppackade mappen (där det här skriptet ligger) till %LOCALAPPDATA%\vpexcel
#   2. tar bort internetmärkningen (Mark of the Web) från filerna där: Unblock-File
#   3. gör mappen till en betrodd plats i Excel:
#      HKCU\Software\Microsoft\Office\16.0\Excel\Security\Trusted Locations\vpexcel
#   4. lägger till tillägget: HKCU\Software\Microsoft\Office\16.0\Excel\Options, första lediga
#      OPEN, OPEN1, OPEN2 ... = /R "%LOCALAPPDATA%\vpexcel\vpexcel.xlam" (ett befintligt värde
#      för vpexcel.xlam återanvänds)
# Bara HKCU och användarens egen mapp ändras. Excel måste vara stängt: det skriver Options när
# det avslutas. -Target byter målmapp (för test), -NoPause gör att skriptet inte väntar.
param(
    [string]$Target = (Join-Path $env:LOCALAPPDATA 'vpexcel'),
    [string]$OfficeKey = 'HKCU:\Software\Microsoft\Office\16.0\Excel',
    [switch]$NoPause
)
$ErrorActionPreference = 'Stop'
$Source = $PSScriptRoot

function Done([int]$code, [string]$message) {
    if ($code -eq 0) { Write-Host $message -ForegroundColor Green } else { Write-Host $message -ForegroundColor Red }
    if (-not $NoPause) { Read-Host 'Tryck Enter för att stänga' | Out-Null }
    exit $code
}

try {
    if (-not (Test-Path -LiteralPath (Join-Path $Source 'vpexcel\vpexcel.exe'))) {
        Done 2 "Mappen vpexcel med vpexcel.exe saknas bredvid installera.cmd. Packa upp hela zip-filen och försök igen."
    }
    if (Get-Process -Name 'EXCEL' -ErrorAction SilentlyContinue) {
        Done 2 'Excel är öppet. Spara och stäng Excel och dubbelklicka sedan på installera.cmd igen.'
    }

    # 1. kopiera (en äldre installation ersätts; exempel och dokumentation följer med)
    Write-Host "Kopierar vpexcel till $Target ..."
    $same = (Resolve-Path -LiteralPath $Source).Path.TrimEnd('\') -eq [IO.Path]::GetFullPath($Target).TrimEnd('\')
    if (-not $same) {
        New-Item -ItemType Directory -Force -Path $Target | Out-Null
        foreach ($item in Get-ChildItem -LiteralPath $Source -Force) {
            # what an older version put there goes first, so nothing old is left or merged in
            $old = Join-Path $Target $item.Name
            if (Test-Path -LiteralPath $old) { Remove-Item -LiteralPath $old -Recurse -Force }
            Copy-Item -LiteralPath $item.FullName -Destination $old -Recurse -Force
        }
    }

    # 2. internetmärkningen bort, annars blockerar Excel tilläggets makron
    Write-Host 'Tar bort internetmärkningen ...'
    Get-ChildItem -LiteralPath $Target -Recurse -File | Unblock-File

    # 3. betrodd plats för Excel (användarens egen; IT kan ha stängt av sådana, se docs/excel.md)
    Write-Host 'Gör mappen till en betrodd plats i Excel ...'
    $trusted = Join-Path $OfficeKey 'Security\Trusted Locations\vpexcel'
    New-Item -Path $trusted -Force | Out-Null
    New-ItemProperty -Path $trusted -Name 'Path' -Value ($Target.TrimEnd('\') + '\') -PropertyType String -Force | Out-Null
    New-ItemProperty -Path $trusted -Name 'AllowSubfolders' -Value 1 -PropertyType DWord -Force | Out-Null
    New-ItemProperty -Path $trusted -Name 'Description' -Value 'vpexcel' -PropertyType String -Force | Out-Null

    # 4. tillägget i Excels lista: OPEN, OPEN1, ... (ett befintligt värde för vpexcel.xlam återanvänds)
    Write-Host 'Lägger till tillägget vpexcel.xlam i Excel ...'
    $options = Join-Path $OfficeKey 'Options'
    New-Item -Path $options -Force -ErrorAction SilentlyContinue | Out-Null
    $addin = '/R "' + (Join-Path $Target 'vpexcel.xlam') + '"'
    $values = Get-ItemProperty -Path $options
    $name = $null
    foreach ($i in 0..99) {
        $candidate = if ($i -eq 0) { 'OPEN' } else { "OPEN$i" }
        $current = $values.$candidate
        if ($null -eq $current) { if ($null -eq $name) { $name = $candidate }; continue }
        if ($current -like '*vpexcel.xlam*') { $name = $candidate; break }
    }
    New-ItemProperty -Path $options -Name $name -Value $addin -PropertyType String -Force | Out-Null

    Done 0 "Klart. vpexcel finns i $Target. Öppna Excel: fliken Verksamhetsplan finns där."
}
catch {
    Done 1 ("Installationen avbröts: " + $_.Exception.Message + " Be IT om hjälp och visa dem avsnittet För IT i dokumentation\excel.md.")
}
