#!/usr/bin/env bash
# Validate SARIF files with Microsoft's SARIF Multitool, spec rules plus GitHub's ingestion rules.
#
#   tools/validate_sarif.sh FILE_OR_DIR...
#
# A directory stands for the *.sarif files in it (not recursive). Each file is validated by its own
# command (a file with a JSON null can make the Multitool skip every later file of the same command).
# Exit 0: all clean; 1: a file has an error, or the tool did not finish; 2: usage or install problem.
#
# SARIF_MULTITOOL=/path/to/Sarif.Multitool uses that binary and installs nothing. Otherwise
# @microsoft/sarif-multitool (pinned below) is installed with npm into a cache directory, once:
# ${VPCEP_LINT_CI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vpcep-lint-ci}. Needs node/npm and libicu.
# See docs/sarif.md.
set -euo pipefail

VERSION=5.7.0
here="$(cd "$(dirname "$0")" && pwd)"
config="$here/sarif-multitool-gh.xml"

if [ "$#" -eq 0 ]; then
  echo "usage: $0 FILE_OR_DIR..." >&2
  exit 2
fi
if [ ! -f "$config" ]; then
  echo "validate_sarif: missing $config" >&2
  exit 2
fi

files=()
for arg in "$@"; do
  if [ -d "$arg" ]; then
    found=0
    while IFS= read -r f; do files+=("$f"); found=1; done < <(find "$arg" -maxdepth 1 -type f -name '*.sarif' | LC_ALL=C sort)
    if [ "$found" -eq 0 ]; then
      echo "validate_sarif: no *.sarif file in $arg" >&2
      exit 2
    fi
  elif [ -f "$arg" ]; then
    files+=("$arg")
  else
    echo "validate_sarif: no such file or directory: $arg" >&2
    exit 2
  fi
done

tool="${SARIF_MULTITOOL:-}"
if [ -z "$tool" ]; then
  cache="${VPCEP_LINT_CI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vpcep-lint-ci}"
  tool="$cache/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"
  if [ ! -f "$tool" ] || ! grep -q "\"version\": \"$VERSION\"" "$cache/node_modules/@microsoft/sarif-multitool/package.json" 2>/dev/null; then
    if ! command -v npm >/dev/null 2>&1; then
      echo "validate_sarif: npm not found; install node/npm or set SARIF_MULTITOOL" >&2
      exit 2
    fi
    mkdir -p "$cache"
    echo "validate_sarif: installing @microsoft/sarif-multitool@$VERSION into $cache" >&2
    npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$cache" "@microsoft/sarif-multitool@$VERSION" >&2
  fi
  if [ ! -f "$tool" ]; then
    echo "validate_sarif: $tool not found after npm install (only linux-x64 is handled here)" >&2
    exit 2
  fi
  # the package's postinstall sets the bit, but npm may skip install scripts
  chmod u+x "$tool"
fi

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
failed=0
for f in "${files[@]}"; do
  # call the binary directly: the npm wrapper goes through /bin/sh, which splits "Sarif;Gh" at the ';'
  if ! "$tool" validate --rule-kind "Sarif;Gh" -c "$config" "$f" >"$log" 2>&1; then
    echo "FAIL $f: the Multitool exited with an error" >&2
    cat "$log" >&2
    failed=1
    continue
  fi
  bad="$(grep -E ': error ' "$log" || true)"
  if [ -n "$bad" ] || ! grep -q 'Analysis completed successfully' "$log"; then
    echo "FAIL $f" >&2
    if [ -n "$bad" ]; then echo "$bad" >&2; else cat "$log" >&2; fi
    failed=1
  else
    echo "ok   $f"
  fi
done
echo "validate_sarif: ${#files[@]} file(s), $([ "$failed" -eq 0 ] && echo "no errors" || echo "ERRORS")"
exit "$failed"
