# Shared by the examples' run.sh: a Sluice server to deploy to (a fresh one, or
# $SLUICE_ENDPOINT), the AWS CLI pointed at it, and clean-up on exit.
# Source it after setting `here` (and SLUICE_SERVER_ARGS for the server it
# starts); it sets `sluice`, `work`, `endpoint` and defines awsl,
# start_background, url_of, wait_execution, deploy_stack, stack_output,
# keep_note.
set -euo pipefail
sluice="${SLUICE:-$here/../../build/sluice}"
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-test}" AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-test}"
export AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-us-east-1}" AWS_PAGER=""

work="$(mktemp -d)"
pids=()
finish() {
  if [ "${KEEP:-}" != 1 ]; then
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    rm -rf "$work"
  fi
}
trap finish EXIT

# Waits for a background process to print "... http://host:port" and echoes the URL.
url_of() {
  local log="$1"
  for _ in $(seq 1 100); do
    if grep -qo 'http://[0-9.]*:[0-9]*' "$log" 2>/dev/null; then
      grep -o 'http://[0-9.]*:[0-9]*' "$log" | head -1
      return
    fi
    sleep 0.1
  done
  echo "run.sh: no address in $log:" >&2
  cat "$log" >&2
  exit 1
}

# start_background LOG COMMAND...: runs COMMAND in the background, stopped on exit.
start_background() {
  local log="$1"
  shift
  "$@" >"$log" 2>&1 &
  pids+=($!)
}

if [ -n "${SLUICE_ENDPOINT:-}" ]; then
  endpoint="$SLUICE_ENDPOINT"
else
  # shellcheck disable=SC2086  # SLUICE_SERVER_ARGS holds several arguments
  start_background "$work/server.log" "$sluice" server --port 0 --data-dir "$work/data" \
    ${SLUICE_SERVER_ARGS:-}
  endpoint="$(url_of "$work/server.log")"
fi
awsl() { aws --endpoint-url "$endpoint" "$@"; }
now_ms() { date +%s%3N; }
took() { echo "$(($(now_ms) - $1)) ms"; }

# wait_execution ARN: polls until the execution ends; echoes its status.
wait_execution() {
  local status=RUNNING
  for _ in $(seq 1 1500); do
    status="$(awsl stepfunctions describe-execution --execution-arn "$1" --query status \
      --output text)"
    [ "$status" = RUNNING ] || break
    sleep 0.2
  done
  echo "$status"
}

# deploy_stack STACK [sluice deploy options...]: deploys ./template.yaml, timed.
deploy_stack() {
  local stack="$1" t
  shift
  echo "== deploy"
  t=$(now_ms)
  "$sluice" deploy "$here/template.yaml" --stack-name "$stack" --endpoint-url "$endpoint" "$@" \
    | sed 's/^/  /'
  echo "  deployed in $(took "$t")"
}

# stack_output STACK KEY
stack_output() {
  awsl cloudformation describe-stacks --stack-name "$1" \
    --query "Stacks[0].Outputs[?OutputKey=='$2'].OutputValue" --output text
}

# The closing lines every example prints.
keep_note() {
  if [ "${KEEP:-}" = 1 ]; then
    echo "  (KEEP=1: the server keeps running; data in $work)"
  elif [ -z "${SLUICE_ENDPOINT:-}" ]; then
    echo "  (this run's server stops now: KEEP=1 ./run.sh keeps it running to try these)"
  fi
}
