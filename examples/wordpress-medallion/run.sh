#!/usr/bin/env bash
# Deploys the WordPress medallion lake to Sluice and runs it once, end to end:
#   1. starts the WordPress fixture site and (unless SLUICE_ENDPOINT names one) a
#      `sluice server` on a fresh data directory;
#   2. deploys template.yaml with `sluice deploy` (`aws cloudformation package` +
#      `deploy` in one), and the Glue Studio jobs in jobs/ with `aws glue
#      create-job` (CloudFormation has no property for a visual job's DAG, on AWS
#      either);
#   3. starts the state machine (its daily 07:00 schedule is deployed too), waits,
#      and prints each step's duration, the gold table's first rows through
#      Athena, and where to look next.
# Needs the AWS CLI. SLUICE=path/to/sluice overrides the binary; KEEP=1 keeps the
# data directory and leaves the server running for you to explore.
here="$(cd "$(dirname "$0")" && pwd)"
stack=wordpress-medallion
. "$here/../lib.sh"

start_background "$work/site.log" python3 "$here/fixture/wordpress_api.py" --port 0
site="$(url_of "$work/site.log")"
echo "WordPress site $site, Sluice $endpoint"

echo "== deploy"
t=$(now_ms)
"$sluice" deploy "$here/template.yaml" --stack-name "$stack" --endpoint-url "$endpoint" \
  --parameter-overrides "ApiUrl=$site/wp-json/wp/v2" | sed 's/^/  /'
output() { stack_output "$stack" "$1"; }
role="$(output GlueRoleArn)"
for file in "$here"/jobs/*.json; do
  name="$(basename "$file" .json)"
  sed "s|\${GlueRoleArn}|$role|" "$file" >"$work/job.json"
  if awsl glue get-job --job-name "$name" >/dev/null 2>&1; then
    python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); n=j.pop("Name"); print(json.dumps({"JobName": n, "JobUpdate": j}))' \
      "$work/job.json" >"$work/update.json"
    awsl glue update-job --cli-input-json "file://$work/update.json" >/dev/null
  else
    awsl glue create-job --cli-input-json "file://$work/job.json" >/dev/null
  fi
  echo "  Glue job $name"
done
echo "  deployed in $(took "$t")"

echo "== run the pipeline"
machine="$(output StateMachineArn)"
execution="$(awsl stepfunctions start-execution --state-machine-arn "$machine" \
  --query executionArn --output text)"
status="$(wait_execution "$execution")"
awsl stepfunctions get-execution-history --execution-arn "$execution" --output json \
  | python3 "$here/../show.py" steps
echo "  status: $status"
if [ "$status" != SUCCEEDED ]; then
  awsl stepfunctions describe-execution --execution-arn "$execution" \
    --query '[error, cause]' --output text >&2
  exit 1
fi

echo "== the gold table, through Athena"
query="SELECT post_id, title, views, visitors FROM post_statistics ORDER BY views DESC LIMIT 5"
id="$(awsl athena start-query-execution --query-string "$query" \
  --query-execution-context Database=wordpress_gold \
  --result-configuration "OutputLocation=$(output QueryResults)" \
  --query QueryExecutionId --output text)"
for _ in $(seq 1 100); do
  state="$(awsl athena get-query-execution --query-execution-id "$id" \
    --query QueryExecution.Status.State --output text)"
  case "$state" in QUEUED | RUNNING) sleep 0.1 ;; *) break ;; esac
done
echo "  $query"
awsl athena get-query-results --query-execution-id "$id" --output json | python3 "$here/../show.py" rows

cat <<EOT
== where to look next (endpoint $endpoint)
  aws --endpoint-url $endpoint stepfunctions get-execution-history --execution-arn $execution
  aws --endpoint-url $endpoint logs tail /aws/vendedlogs/states/wordpress-medallion
  aws --endpoint-url $endpoint glue get-tables --database-name wordpress_gold
  aws --endpoint-url $endpoint glue list-data-quality-results
  aws --endpoint-url $endpoint cloudformation describe-stack-events --stack-name $stack
EOT
keep_note
