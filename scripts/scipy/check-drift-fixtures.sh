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
echo "drift fixtures differ from a fresh run (scipy $("$py" -c 'import scipy; print(scipy.__version__)')):" >&2
diff -r -u "$root/test/fixtures/drift-stats" "$tmp" | head -c 4000 >&2 || true
echo >&2
echo "Regenerate with: /usr/bin/python3 scripts/scipy/make-drift-fixtures.py (and review the change)" >&2
exit 1
