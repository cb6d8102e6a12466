#!/usr/bin/env bash
# Deploys the archive-restore stack (SAM) to Sluice, archives a document as
# DEEP_ARCHIVE, requests its restore, and waits for S3's "Object Restore
# Completed" event to run the second state machine, which prints the cost
# estimate and a presigned URL that is then fetched. The server this script
# starts restores DEEP_ARCHIVE in 2 seconds instead of AWS's 12 hours
# (`--s3-restore-delays`); against your own server (SLUICE_ENDPOINT) it waits
# for that server's delays. Needs the AWS CLI. KEEP=1 keeps the server.
here="$(cd "$(dirname "$0")" && pwd)"
stack=archive-restore
SLUICE_SERVER_ARGS="${SLUICE_SERVER_ARGS:---s3-restore-delays DEEP_ARCHIVE.Standard=2,DEEP_ARCHIVE.Bulk=4}"
. "$here/../lib.sh"
echo "Sluice $endpoint"

deploy_stack "$stack"

echo "== archive a document"
key="contracts/2019/master-agreement.pdf"
python3 -c 'import random,sys; random.seed(5); sys.stdout.buffer.write(b"%PDF-1.4\n" + bytes(random.getrandbits(8) for _ in range(300000)))' \
  >"$work/document.pdf"
awsl s3api put-object --bucket archive-vault --key "$key" --body "$work/document.pdf" \
  --storage-class DEEP_ARCHIVE --query ETag --output text | sed 's/^/  stored, ETag /'
if ! awsl s3api get-object --bucket archive-vault --key "$key" "$work/early.pdf" \
  >/dev/null 2>"$work/early.err"; then
  echo "  GET before the restore: $(grep -o 'InvalidObjectState' "$work/early.err" | head -1)"
fi

echo "== request the restore"
t=$(now_ms)
request="$(awsl stepfunctions start-execution --state-machine-arn "$(stack_output "$stack" RequestMachine)" \
  --input "{\"key\": \"$key\", \"tier\": \"Standard\", \"days\": 1}" --query executionArn --output text)"
echo "  request: $(wait_execution "$request"), $(awsl stepfunctions describe-execution \
  --execution-arn "$request" --query output --output text)"
echo "  $(awsl s3api head-object --bucket archive-vault --key "$key" --query Restore --output text)"

echo "== wait for \"Object Restore Completed\" to run the second state machine"
completed="$(stack_output "$stack" CompletedMachine)"
execution=""
for _ in $(seq 1 600); do
  execution="$(awsl stepfunctions list-executions --state-machine-arn "$completed" \
    --query 'executions[0].executionArn' --output text)"
  [ "$execution" != None ] && break
  sleep 0.1
done
status="$(wait_execution "$execution")"
echo "  $status, $(took "$t") after the request"
output="$(awsl stepfunctions describe-execution --execution-arn "$execution" --query output --output text)"
echo "$output" | python3 -c 'import json,sys; o=json.load(sys.stdin); [print(f"  {k}: {v}") for k, v in o.items()]'
url="$(echo "$output" | python3 -c 'import json,sys; print(json.load(sys.stdin)["url"])')"
python3 -c 'import sys,urllib.request; open(sys.argv[2], "wb").write(urllib.request.urlopen(sys.argv[1]).read())' \
  "$url" "$work/restored.pdf"
if cmp -s "$work/document.pdf" "$work/restored.pdf"; then
  echo "  the presigned URL serves the restored document ($(wc -c <"$work/restored.pdf") bytes)"
else
  echo "  the presigned URL did not serve the document" >&2
  exit 1
fi

cat <<EOT
== where to look next (endpoint $endpoint)
  aws --endpoint-url $endpoint s3 ls --recursive s3://archive-restore-records/restores/
  aws --endpoint-url $endpoint stepfunctions get-execution-history --execution-arn $execution
EOT
keep_note
