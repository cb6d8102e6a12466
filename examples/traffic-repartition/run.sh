#!/usr/bin/env bash
# Deploys the traffic repartitioning pipeline (a SAM template: the state machine
# is statemachine/repartition.asl.yaml) to Sluice, lands ten days of generated
# traffic events by arrival hour, runs the pipeline over them and prints the
# event-time partitions it wrote. The nightly schedule is deployed too; this run
# starts the machine directly with 1-second polls instead of 30.
# Needs the AWS CLI. KEEP=1 keeps the server; SLUICE_ENDPOINT uses yours.
here="$(cd "$(dirname "$0")" && pwd)"
stack=traffic-repartition
. "$here/../lib.sh"
echo "Sluice $endpoint"

deploy_stack "$stack"

echo "== land the events"
python3 "$here/fixture/traffic_events.py" "$work/arrivals" | sed 's/^/  /'
awsl s3 sync "$work/arrivals" s3://traffic-landing/arrivals/ --only-show-errors

echo "== run the pipeline"
t=$(now_ms)
execution="$(awsl stepfunctions start-execution --state-machine-arn "$(stack_output "$stack" StateMachineArn)" \
  --input '{"from": "2024-03-01", "days": 10, "daysPerQuery": 4, "pollSeconds": 1}' \
  --query executionArn --output text)"
status="$(wait_execution "$execution")"
echo "  $status in $(took "$t")"
if [ "$status" != SUCCEEDED ]; then
  awsl stepfunctions describe-execution --execution-arn "$execution" \
    --query '[error, cause]' --output text >&2
  exit 1
fi
awsl stepfunctions describe-execution --execution-arn "$execution" --query output --output text \
  | python3 "$here/../show.py" chunks

echo "== partitions per event day (catalogue) and events per hour (Athena)"
awsl glue get-partitions --database-name traffic --table-name events_by_time \
  --query 'Partitions[].Values' --output json \
  | python3 "$here/../show.py" days
id="$(awsl athena start-query-execution --work-group traffic --query-execution-context Database=traffic \
  --query-string "SELECT year, month, day, hour, count(*) AS events, round(avg(speed_kmh), 1) AS avg_kmh FROM events_by_time WHERE day = '05' GROUP BY 1, 2, 3, 4 ORDER BY 4 LIMIT 6" \
  --query QueryExecutionId --output text)"
for _ in $(seq 1 100); do
  state="$(awsl athena get-query-execution --query-execution-id "$id" \
    --query QueryExecution.Status.State --output text)"
  case "$state" in QUEUED | RUNNING) sleep 0.1 ;; *) break ;; esac
done
awsl athena get-query-results --query-execution-id "$id" --output json \
  | python3 "$here/../show.py" rows

cat <<EOT
== where to look next (endpoint $endpoint)
  aws --endpoint-url $endpoint stepfunctions get-execution-history --execution-arn $execution
  aws --endpoint-url $endpoint athena list-query-executions --work-group traffic
  aws --endpoint-url $endpoint glue get-partitions --database-name traffic --table-name events_by_time
EOT
keep_note
