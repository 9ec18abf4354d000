#!/usr/bin/env bash
# `npm run fixtures:capture`: runs every scripts/capture-*-fixtures.sh in turn (each one needs root
# and works only inside network namespaces it creates and deletes). Runs them all, then exits
# non-zero if any failed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
failed=()
ran=0
for script in "$here"/capture-*-fixtures.sh; do
  [ -e "$script" ] || continue
  name=$(basename "$script")
  echo "== $name" >&2
  ran=$((ran + 1))
  if ! bash "$script"; then
    echo "== $name FAILED" >&2
    failed+=("$name")
  fi
done
[ "$ran" -gt 0 ] || { echo "capture-fixtures: no scripts/capture-*-fixtures.sh found" >&2; exit 1; }
if [ "${#failed[@]}" -gt 0 ]; then
  echo "capture-fixtures: ${#failed[@]} of $ran failed: ${failed[*]}" >&2
  exit 1
fi
echo "capture-fixtures: all $ran capture scripts succeeded" >&2
