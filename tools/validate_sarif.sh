#!/usr/bin/env bash
# Validate SARIF files with Microsoft's SARIF Multitool, spec rules plus GitHub's ingestion rules.
#
#   tools/validate_sarif.sh FILE_OR_DIR...
#   tools/validate_sarif.sh --fixtures [OUT_DIR]
#
# A directory stands for the *.sarif files in it (not recursive). Each file is validated by its own
# command (a file with a JSON null can make the Multitool skip every later file of the same command).
# --fixtures first writes, with the `vpcep-lint` on PATH (or $VPCEP_LINT), the SARIF of every
# fixture (its directory and its plan.json; for fixtures/VPCEP000, its directory and JSON files)
# and of a few edge cases (input errors, suppressions, a plan without its sources, stdin, a file
# outside the root, a path with spaces) into OUT_DIR (default: a new temporary directory), then
# validates them all.
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

if [ "${1:-}" = "--one" ]; then  # internal: validate one file with $VALIDATE_TOOL
  f="$2"
  log="$(mktemp)"
  trap 'rm -f "$log"' EXIT
  # call the binary directly: the npm wrapper goes through /bin/sh, which splits "Sarif;Gh" at the ';'
  if ! "$VALIDATE_TOOL" validate --rule-kind "Sarif;Gh" -c "$VALIDATE_CONFIG" "$f" >"$log" 2>&1; then
    echo "FAIL $f: the Multitool exited with an error" >&2
    cat "$log" >&2
    exit 1
  fi
  bad="$(grep -E ': error ' "$log" || true)"
  if [ -n "$bad" ] || ! grep -q 'Analysis completed successfully' "$log"; then
    echo "FAIL $f" >&2
    if [ -n "$bad" ]; then echo "$bad" >&2; else cat "$log" >&2; fi
    exit 1
  fi
  echo "ok   $f"
  exit 0
fi

if [ "$#" -eq 0 ]; then
  echo "usage: $0 FILE_OR_DIR..." >&2
  exit 2
fi
if [ ! -f "$config" ]; then
  echo "validate_sarif: missing $config" >&2
  exit 2
fi

lint() {  # lint MAX_EXIT_CODE VPCEP_LINT_ARGS...: 1 = findings are fine, 2 = input errors are too
  local max="$1" rc=0 err
  shift
  err="$(mktemp)"
  "${VPCEP_LINT:-vpcep-lint}" --no-cache "$@" 2>"$err" || rc=$?
  if [ "$rc" -gt "$max" ]; then
    echo "validate_sarif: vpcep-lint $* exited $rc" >&2
    cat "$err" >&2
    rm -f "$err"
    exit 2
  fi
  rm -f "$err"
}

generate_fixtures() {  # generate_fixtures OUT_DIR: run from the repository root
  local out="$1" d name edge repo
  local f base has_tf has_json
  for d in fixtures/VPCEP*/*/*/ fixtures/examples/*/ fixtures/workflow/*/; do
    d="${d%/}"
    name="$(printf '%s' "${d#fixtures/}" | tr '/' '_')"
    case "$d" in
      fixtures/VPCEP000/*)  # bad inputs: the directory and every JSON file; exit 2 is expected
        has_tf=0 has_json=0
        for f in "$d"/*; do
          base="$(basename "$f")"
          case "$base" in
            *.tf | *.tf.json) has_tf=1 ;;
            *.json)
              has_json=1
              lint 2 -f sarif --sarif-root . -o "$out/$name.${base%.json}.sarif" "$f"
              ;;
          esac
        done
        if [ "$has_tf" -eq 1 ] || [ "$has_json" -eq 0 ]; then
          lint 2 -f sarif --sarif-root . -o "$out/$name.hcl.sarif" "$d"
        fi
        ;;
      *)
        lint 1 -f sarif --sarif-root . -o "$out/$name.hcl.sarif" "$d"
        if [ -f "$d/plan.json" ]; then
          lint 1 -f sarif --sarif-root . -o "$out/$name.plan.sarif" "$d/plan.json"
        fi
        ;;
    esac
  done
  edge="$(mktemp -d)"
  repo="$edge/repo with space"
  mkdir -p "$repo/.git" "$repo/infra" "$repo/broken" "$repo/suppressed" "$repo/empty" "$edge/outside"
  cp fixtures/examples/broken-endpoint/main.tf fixtures/examples/broken-endpoint/plan.json "$repo/infra/"
  cp fixtures/examples/broken-endpoint/main.tf "$edge/outside/"
  printf 'resource "huaweicloud_vpc" "x" {\n  name = \n' >"$repo/broken/main.tf"
  sed -e '/^resource "huaweicloud_networking_secgroup" "app"/i # vpcep-lint: ignore[VPCEP001] reason="reached over the VPC only, see {ticket}"' \
      -e '/^resource "huaweicloud_vpc" "shop"/i # vpcep-lint: ignore[VPCEP002] reason="nothing fires here"' \
      -e '/^resource "huaweicloud_vpc" "orders"/i # vpcep-lint: ignore' \
      fixtures/examples/broken-endpoint/main.tf >"$repo/suppressed/main.tf"
  (
    cd "$repo"
    lint 1 -f sarif -o "$out/edge_default-root-with-space.sarif" infra
    lint 1 -f sarif -o "$out/edge_suppressions.sarif" suppressed
    lint 2 -f sarif -o "$out/edge_input-errors.sarif" broken missing.json infra/plan.json
    lint 1 -f sarif -o "$out/edge_plan-without-sources.sarif" --source-dir empty infra/plan.json
    lint 1 -f sarif -o "$out/edge_stdin.sarif" - <infra/plan.json
    lint 1 -f sarif -o "$out/edge_outside-root.sarif" "$edge/outside"
    lint 1 -f sarif -o "$out/edge_category.sarif" --category "infra/prod" --show-unknown infra
  ) || exit 2
  (cd "$edge/outside" && lint 1 -f sarif -o "$out/edge_no-git-root.sarif" .) || exit 2
  rm -rf "$edge"
}

if [ "$1" = "--fixtures" ]; then
  out="${2:-$(mktemp -d)}"
  mkdir -p "$out"
  out="$(cd "$out" && pwd)"
  cd "$here/.."
  generate_fixtures "$out"
  set -- "$out"
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

# each file by its own command, two at a time (the Multitool is single-threaded)
export VALIDATE_TOOL="$tool" VALIDATE_CONFIG="$config"
failed=0
printf '%s\0' "${files[@]}" | xargs -0 -n 1 -P "${VALIDATE_JOBS:-2}" "$0" --one || failed=1
echo "validate_sarif: ${#files[@]} file(s), $([ "$failed" -eq 0 ] && echo "no errors" || echo "ERRORS")"
exit "$failed"
