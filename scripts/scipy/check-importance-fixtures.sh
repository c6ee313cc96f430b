#!/usr/bin/env bash
# Regenerate the feature-dependency fixtures (data and expected numbers) with
# Debian's scipy and scikit-learn into a temporary directory and compare them
# with the committed ones, byte for byte. Exit 1 on any difference; without
# python3-sklearn/python3-scipy it says so and exits 0, except under CI=true,
# where a missing reference is a failure (.ci/run installs both).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
py=/usr/bin/python3   # Debian's interpreter: a python3 earlier on PATH may lack the Debian packages

if [ ! -x "$py" ] || ! "$py" -c 'import numpy, scipy, pandas, sklearn' >/dev/null 2>&1; then
  if [ "${CI:-}" = true ]; then
    echo "python3-scipy/python3-sklearn/python3-pandas missing: cannot check the importance fixtures (bash scripts/ci/apt.sh python3-sklearn)" >&2
    exit 1
  fi
  echo "python3-sklearn not installed: skipped (apt-get install python3-sklearn python3-pandas to check the importance fixtures)"
  exit 0
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cp "$root/test/fixtures/importance/README.md" "$tmp/" 2>/dev/null || true

"$py" "$root/scripts/scipy/make-importance-fixtures.py" --out "$tmp"

versions="$("$py" -c 'import scipy, sklearn; print("scipy", scipy.__version__, "scikit-learn", sklearn.__version__)')"
if diff -r -q "$root/test/fixtures/importance" "$tmp" >/dev/null; then
  echo "importance fixtures: identical to a fresh run of $versions"
  exit 0
fi
echo "importance fixtures differ from a fresh run ($versions):" >&2
diff -r -u "$root/test/fixtures/importance" "$tmp" | head -c 4000 >&2 || true
echo >&2
echo "Regenerate with: /usr/bin/python3 scripts/scipy/make-importance-fixtures.py (and review the change)" >&2
exit 1
