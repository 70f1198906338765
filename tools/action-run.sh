#!/usr/bin/env bash
# The lint step of the GitHub Action (action.yml runs it; tests/test_action.py runs it as the runner
# does). One vpcep-lint run writes three outputs: SARIF to a fresh file, the findings to the job log
# (workflow annotations or text), and a Markdown report appended to $GITHUB_STEP_SUMMARY.
#
# Inputs come through the environment only, never pasted into the script:
#   VPCEP_LINT_PATHS         what to lint, one path per line (default: .)
#   VPCEP_LINT_ARGS          more options, one argument per line (--fail-on=error, or --fail-on then error)
#   VPCEP_LINT_SARIF         where to write SARIF (default: a new file under $RUNNER_TEMP)
#   VPCEP_LINT_LOG_FORMAT    github (annotations) or text, for the job log (default: github)
#   VPCEP_LINT_STEP_SUMMARY  true or false: append the Markdown report to $GITHUB_STEP_SUMMARY
# and GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, RUNNER_TEMP from the runner. Lines are taken as they are
# (no quote removal, no word splitting); blank lines are skipped and surrounding blanks trimmed.
#
# Outputs: exit-code (vpcep-lint's), and sarif-file only when this run wrote one. The step itself
# fails only when vpcep-lint wrote no report (a usage or configuration error, a crash), so that an
# upload of a report from an earlier run can never happen; findings are for a later step to act on.
set -uo pipefail

annotate() {  # level, message: a workflow command, with the characters GitHub decodes escaped
  local message=${2//%/%25}
  message=${message//$'\r'/%0D}
  message=${message//$'\n'/%0A}
  printf '::%s title=vpcep-lint::%s\n' "$1" "$message"
}

give_up() {  # message: refuse to run; the step fails with exit code 2
  annotate error "$1"
  if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "exit-code=2" >> "$GITHUB_OUTPUT"; fi
  exit 2
}

trim() {  # one line without its CR and surrounding blanks, in $trimmed
  trimmed=${1%$'\r'}
  trimmed=${trimmed#"${trimmed%%[![:space:]]*}"}
  trimmed=${trimmed%"${trimmed##*[![:space:]]}"}
}

[ -n "${GITHUB_OUTPUT:-}" ] || give_up "GITHUB_OUTPUT is not set: run this script as a step of the action"
if [ -z "${RUNNER_TEMP:-}" ] || [ ! -d "$RUNNER_TEMP" ]; then give_up "RUNNER_TEMP is not a directory"; fi

paths=()
while IFS= read -r line || [ -n "$line" ]; do
  trim "$line"
  if [ -n "$trimmed" ]; then paths+=("$trimmed"); fi
done <<< "${VPCEP_LINT_PATHS-.}"
if [ "${#paths[@]}" -eq 0 ]; then paths=(.); fi

args=()
while IFS= read -r line || [ -n "$line" ]; do
  trim "$line"
  [ -n "$trimmed" ] || continue
  case "$trimmed" in
    --)
      give_up "args: '--' is not an option; put what to lint in the paths input, one per line" ;;
    -f|-f*|--format|--format=*|-o|-o*|--output|--output=*)
      give_up "args: '$trimmed': the action sets the formats and files itself (SARIF file, job log, step summary); remove it, and use the sarif-file, log-format and step-summary inputs" ;;
  esac
  name=${trimmed%%=*}
  if [[ "$trimmed" == -* && "$name" == *[[:space:]]* ]]; then
    give_up "args: '$trimmed': one argument per line; write '${trimmed%%[[:space:]]*}=${trimmed#*[[:space:]]}' or put the value on the next line"
  fi
  args+=("$trimmed")
done <<< "${VPCEP_LINT_ARGS-}"

log_format=${VPCEP_LINT_LOG_FORMAT:-github}
case "$log_format" in
  github|text) ;;
  *) give_up "log-format: '$log_format' is not github or text" ;;
esac

workdir=$(mktemp -d "$RUNNER_TEMP/vpcep-lint.XXXXXXXX") || give_up "cannot create a directory in RUNNER_TEMP"
sarif=${VPCEP_LINT_SARIF:-$workdir/vpcep-lint.sarif}
case "$sarif" in
  *$'\n'*|*$'\r'*) give_up "sarif-file: a file name with a line break" ;;
esac
# A SARIF file left by an earlier run must never be uploaded as this run's.
rm -f -- "$sarif" || give_up "sarif-file: cannot remove the earlier $sarif"
summary=$workdir/summary.md

cmd=(vpcep-lint --format "sarif=$sarif" --format "$log_format")
if [ "${VPCEP_LINT_STEP_SUMMARY:-true}" = true ]; then cmd+=(--format "markdown=$summary"); fi
cmd+=(${args[@]+"${args[@]}"} -- "${paths[@]}")

printf 'Running:'
printf ' %q' "${cmd[@]}"
printf '\n'
"${cmd[@]}"
code=$?

echo "exit-code=$code" >> "$GITHUB_OUTPUT"
if [ -f "$summary" ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  cat -- "$summary" >> "$GITHUB_STEP_SUMMARY"
fi
if [ ! -f "$sarif" ]; then
  annotate error "vpcep-lint exited with code $code and wrote no report (2: usage, configuration or input error, 3: internal error); see the log above"
  if [ "$code" -eq 0 ] || [ "$code" -eq 1 ]; then exit 3; fi
  exit "$code"
fi
echo "sarif-file=$sarif" >> "$GITHUB_OUTPUT"
if [ "$code" -ne 0 ] && [ "$code" -ne 1 ]; then
  annotate warning "vpcep-lint exited with code $code (2: an input or the configuration could not be read, 3: internal error); the report says which"
fi
exit 0
