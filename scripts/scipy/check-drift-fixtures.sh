#!/usr/bin/env bash
# Regenerate the drift-stats fixtures with Debian's scipy into a temporary
# directory and compare them with the committed ones, byte for byte.
# Exit 0 when identical, 1 on any difference, 0 with a "skipped" message when
# python3-scipy is not installed (CI calls this only where scipy is present).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
py=/usr/bin/python3   # Debian's interpreter: the pyenv python3 on PATH lacks python3-scipy

if [ ! -x "$py" ] || ! "$py" -c 'import numpy, scipy' >/dev/null 2>&1; then
  echo "python3-scipy not installed: skipped (apt-get install python3-scipy python3-numpy to check the drift fixtures)"
  exit 0
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

"$py" "$root/scripts/scipy/make-drift-fixtures.py" --out "$tmp"

if diff -r -q "$root/test/fixtures/drift-stats" "$tmp" >/dev/null; then
  echo "drift fixtures: identical to a fresh run of scipy $("$py" -c 'import scipy; print(scipy.__version__)')"
  exit 0
fi
# scipy's results can differ in the last bit between machines (libm, the CPU
# kernel numpy picks): the same inputs, and every number within 1e-10
# relative of a tail probability (seen: 1.2e-12), is agreement.
if "$py" - "$root/test/fixtures/drift-stats" "$tmp" <<'PY'
import json, math, os, sys
a_dir, b_dir = sys.argv[1], sys.argv[2]
worst = 0.0
def same(x, y, where):
    global worst
    if isinstance(x, bool) or isinstance(y, bool) or not isinstance(x, (int, float)) or not isinstance(y, (int, float)):
        if type(x) != type(y):
            sys.exit(f"{where}: {x!r} != {y!r}")
        if isinstance(x, dict):
            if x.keys() != y.keys():
                sys.exit(f"{where}: keys differ")
            for k in x:
                same(x[k], y[k], f"{where}.{k}")
        elif isinstance(x, list):
            if len(x) != len(y):
                sys.exit(f"{where}: lengths differ")
            for i, (u, v) in enumerate(zip(x, y)):
                same(u, v, f"{where}[{i}]")
        elif x != y:
            sys.exit(f"{where}: {x!r} != {y!r}")
        return
    if x == y or (math.isnan(x) and math.isnan(y)):
        return
    rel = abs(x - y) / max(abs(x), abs(y))
    worst = max(worst, rel)
    if rel > 1e-10:
        sys.exit(f"{where}: {x!r} vs {y!r} (relative difference {rel:.2e})")
if sorted(os.listdir(a_dir)) != sorted(os.listdir(b_dir)):
    sys.exit("the fixture files differ")
for f in sorted(os.listdir(a_dir)):
    same(json.load(open(os.path.join(a_dir, f))), json.load(open(os.path.join(b_dir, f))), f)
print(f"drift fixtures: agree with a fresh run within 1e-10 relative (largest difference {worst:.1e})")
PY
then
  exit 0
fi
echo "drift fixtures differ from a fresh run (scipy $("$py" -c 'import scipy; print(scipy.__version__)')):" >&2
diff -r -u "$root/test/fixtures/drift-stats" "$tmp" | head -c 4000 >&2 || true
echo >&2
echo "Regenerate with: /usr/bin/python3 scripts/scipy/make-drift-fixtures.py (and review the change)" >&2
exit 1
