#!/usr/bin/env bash
# Deploys the call-recording archival stack (SAM) to Sluice, uploads a day of
# generated recordings (one of them damaged), runs the archival state machine
# once and shows what it did: converted recordings stored as GLACIER_IR with
# their originals kept as noncurrent versions, the damaged one in the
# dead-letter queue. The weekly schedule is deployed too; this run polls the
# queue every second instead of every 30. Needs the AWS CLI. KEEP=1 keeps the
# server; SLUICE_ENDPOINT uses yours.
here="$(cd "$(dirname "$0")" && pwd)"
stack=call-recording-archival
. "$here/../lib.sh"
echo "Sluice $endpoint"

deploy_stack "$stack"

echo "== upload a day of recordings"
python3 "$here/fixture/recordings.py" "$work/upload" | sed 's/^/  /'
awsl s3 sync "$work/upload/recordings" s3://call-recordings/recordings/ --only-show-errors

echo "== archive them"
t=$(now_ms)
execution="$(awsl stepfunctions start-execution --state-machine-arn "$(stack_output "$stack" StateMachineArn)" \
  --input '{"prefix": "recordings/2024/03/04/", "pollSeconds": 1}' --query executionArn --output text)"
status="$(wait_execution "$execution")"
echo "  $status in $(took "$t"): $(awsl stepfunctions describe-execution --execution-arn "$execution" \
  --query output --output text)"
[ "$status" = SUCCEEDED ] || exit 1

key=recordings/2024/03/04/call-0001.wav
echo "== $key"
awsl s3api list-object-versions --bucket call-recordings --prefix "$key" --output json \
  | python3 "$here/../show.py" versions
echo "  tags: $(awsl s3api get-object-tagging --bucket call-recordings --key "$key" --query 'TagSet[].[Key,Value]' --output text)"
awsl s3 cp "s3://call-recordings/$key" "$work/archived.wav" --only-show-errors
python3 "$here/../show.py" wav "$work/archived.wav"
echo "== the dead-letter queue"
awsl sqs receive-message --queue-url "$(stack_output "$stack" DeadLetterUrl)" --query 'Messages[].Body' \
  --output text | sed 's/^/  /'

cat <<EOT
== where to look next (endpoint $endpoint)
  aws --endpoint-url $endpoint logs tail /aws/lambda/convert-recording
  aws --endpoint-url $endpoint s3api get-bucket-lifecycle-configuration --bucket call-recordings
EOT
keep_note
