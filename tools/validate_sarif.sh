#!/usr/bin/env bash
# Validate SARIF files with Microsoft's SARIF Multitool, spec rules plus GitHub's ingestion rules.
#
#   tools/validate_sarif.sh FILE_OR_DIR...
#   tools/validate_sarif.sh --fixtures [OUT_DIR]        # a representative set (what CI runs)
#   tools/validate_sarif.sh --all-fixtures [OUT_DIR]    # every fixture
#
# A directory stands for the *.sarif files in it (not recursive). All files are validated by one
# command (the tool's start-up is most of the cost of a small file), which must report every file
# scanned, no `: error ` line and a successful end. When it does not, each file is validated again by
# its own command, to name the failing files: an exception in one file can switch a check off for
# the files after it in the same command, so a failed batch is never read file by file.
# --fixtures and --all-fixtures first write, with the `vpcep-lint` on PATH (or $VPCEP_LINT), SARIF
# logs into OUT_DIR (default: a new temporary directory), then validate them all, and the golden
# file tests/golden/broken-endpoint.sarif too. --fixtures writes a representative set: one bad case
# of every rule in HCL and plan form, a good case, the state and plan-of-existing-resources forms
# (every Terraform JSON format version the fixtures hold), bad inputs of each kind (HCL and JSON
# syntax, an unsupported format_version, a wrong shape, a missing module), what could not be checked
# (values, remote modules: note notifications), modules with count and for_each, a repository of
# several roots, the README example in all four forms, and the edge cases (input errors as tool
# notifications, suppressions, a plan without its sources, stdin, a file outside the root, a path
# with spaces, a category, no git root). --all-fixtures writes the SARIF of every fixture (its
# directory and its plan.json; for fixtures/VPCEP000, its directory and JSON files) and the edge
# cases. Every fixture's SARIF is also checked against the OASIS schema by tests/test_sarif.py.
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

clean_log() {  # clean_log LOG N: the Multitool's log reports N files scanned, no error, a successful end
  ! grep -qE ': error ' "$1" && grep -qx "Done\. $2 files\? scanned\." "$1" && grep -q 'Analysis completed successfully' "$1"
}

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
  if ! clean_log "$log" 1; then
    bad="$(grep -E ': error ' "$log" || true)"
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

# The representative set: "fixture-dir form..." where a form is hcl (the directory) or a JSON file.
REPRESENTATIVE=(
  "fixtures/VPCEP001/bad/two-services-share-one-nic hcl plan.json"
  "fixtures/VPCEP001/good/two-18-rules-in-two-groups hcl"
  "fixtures/VPCEP001/good/group-id-from-variable hcl plan.json"
  "fixtures/VPCEP002/bad/endpoint-subnet-acl-misses-terminal-port hcl plan.json"
  "fixtures/VPCEP003/bad/whitelist-without-endpoint-cidr hcl plan.json"
  "fixtures/VPCEP004/bad/secondary-cidrs-overlap hcl plan.json"
  "fixtures/VPCEP005/bad/no-routes hcl plan.json"
  "fixtures/VPCEP006/bad/cloud-connect-but-regions-differ hcl plan.json"
  "fixtures/VPCEP007/bad/approval-without-approval-resource hcl plan.json state.json"
  "fixtures/VPCEP007/bad/recorded-failed-service state.json plan-existing.json"
  "fixtures/VPCEP008/bad/cross-region-by-alias hcl plan.json"
  "fixtures/VPCEP000/bad/syntax-stray-brace hcl"
  "fixtures/VPCEP000/bad/module-missing hcl"
  "fixtures/VPCEP000/bad/truncated-plan plan.json"
  "fixtures/VPCEP000/bad/format-version-2 plan.json"
  "fixtures/VPCEP000/bad/plan-wrong-shape plan.json"
  "fixtures/VPCEP000/bad/module-remote-sources hcl"
  "fixtures/layout/repo hcl"
  "fixtures/model/module-count-foreach hcl plan.json"
  "fixtures/examples/broken-endpoint hcl plan.json state.json plan-existing.json"
  "fixtures/workflow/module-suppression hcl plan.json"
)

lint_form() {  # lint_form OUT_DIR CASE_DIR FORM: bad inputs may exit 2, the others 1
  local out="$1" d="$2" form="$3" name max=1
  name="$(printf '%s' "${d#fixtures/}" | tr '/' '_')"
  case "$d" in fixtures/VPCEP000/*) max=2 ;; esac
  if [ "$form" = hcl ]; then
    lint "$max" -f sarif --sarif-root . -o "$out/$name.hcl.sarif" "$d"
  else
    [ -f "$d/$form" ] || { echo "validate_sarif: no $d/$form" >&2; exit 2; }
    lint "$max" -f sarif --sarif-root . -o "$out/$name.${form%.json}.sarif" "$d/$form"
  fi
}

JOBS="${VALIDATE_JOBS:-2}"
pids=()
pooled() {  # pooled COMMAND...: run in the background, at most $JOBS at once
  "$@" &
  pids+=("$!")
  if [ "${#pids[@]}" -ge "$JOBS" ]; then
    wait "${pids[0]}" || exit 2
    pids=("${pids[@]:1}")
  fi
}
pooled_wait() {
  local pid
  for pid in "${pids[@]}"; do wait "$pid" || exit 2; done
  pids=()
}

generate_representative() {  # generate_representative OUT_DIR: run from the repository root
  local out="$1" entry d form forms
  pooled generate_edges "$out"
  for entry in "${REPRESENTATIVE[@]}"; do
    read -r d forms <<<"$entry"
    for form in $forms; do pooled lint_form "$out" "$d" "$form"; done
  done
  pooled_wait
}

generate_fixtures() {  # generate_fixtures OUT_DIR: every fixture; run from the repository root
  local out="$1" d name
  local f base has_tf has_json
  for d in fixtures/VPCEP*/*/*/ fixtures/examples/*/ fixtures/workflow/*/ fixtures/layout/*/; do
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
  generate_edges "$out"
}

generate_edges() {  # generate_edges OUT_DIR: the cases no fixture directory holds
  local out="$1" edge repo
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
    lint 2 -f sarif -o "$out/edge_input-errors-not-listed.sarif" --ignore VPCEP000 broken infra
    lint 1 -f sarif -o "$out/edge_plan-without-sources.sarif" --source-dir empty infra/plan.json
    lint 1 -f sarif -o "$out/edge_stdin.sarif" - <infra/plan.json
    lint 1 -f sarif -o "$out/edge_outside-root.sarif" "$edge/outside"
    lint 1 -f sarif -o "$out/edge_category.sarif" --category "infra/prod" --show-unknown infra
  ) || exit 2
  (cd "$edge/outside" && lint 1 -f sarif -o "$out/edge_no-git-root.sarif" .) || exit 2
  rm -rf "$edge"
}

if [ "$1" = "--fixtures" ] || [ "$1" = "--all-fixtures" ]; then
  mode="$1"
  out="${2:-$(mktemp -d)}"
  mkdir -p "$out"
  out="$(cd "$out" && pwd)"
  cd "$here/.."
  if [ "$mode" = "--fixtures" ]; then generate_representative "$out"; else generate_fixtures "$out"; fi
  cp tests/golden/broken-endpoint.sarif "$out/golden_broken-endpoint.sarif"
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

# all files by one command; if that is not clean, each file by its own command to name the bad ones
export VALIDATE_TOOL="$tool" VALIDATE_CONFIG="$config"
failed=0
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
if "$tool" validate --rule-kind "Sarif;Gh" -c "$config" "${files[@]}" >"$log" 2>&1 && clean_log "$log" "${#files[@]}"; then
  printf 'ok   %s\n' "${files[@]}"
else
  echo "validate_sarif: the run over all ${#files[@]} file(s) was not clean; validating each file on its own" >&2
  grep -E ': error |files? scanned' "$log" | head -20 >&2 || true
  printf '%s\0' "${files[@]}" | xargs -0 -n 1 -P "$JOBS" "$0" --one || true
  failed=1
fi
echo "validate_sarif: ${#files[@]} file(s), $([ "$failed" -eq 0 ] && echo "no errors" || echo "ERRORS")"
exit "$failed"
