#!/usr/bin/env python3
"""Regenerates sigv4_botocore_fixtures.json: requests signed by botocore's own
signers (SigV4Auth, S3SigV4Auth, S3SigV4QueryAuth, SigV4QueryAuth) exactly as
they go on the wire, for sigv4_test.cpp to verify. The C++ test does not need
Python; rerun this after changing a case (never hand-edit the JSON):

    python3 tests/unit/gateway/make_fixtures.py
"""

import datetime
import json
import os
from unittest import mock
from urllib.parse import urlsplit

from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth, SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

ACCESS_KEY = "AKIDSLUICEFIXTURE"
SECRET_KEY = "sluice/fixture+secret/key0123456789ABCDEF"
TOKEN = "FQoGZXIvYXdzEXAMPLE//session+token/value=="
SIGNED_AT = datetime.datetime(2024, 3, 1, 12, 0, 0)  # UTC, naive as botocore uses it


def sign(name, signer_cls, service, method, url, headers=None, body=b"", token=None,
         expires=None, context=None):
    creds = Credentials(ACCESS_KEY, SECRET_KEY, token)
    if expires is None:
        signer = signer_cls(creds, service, "us-east-1")
    else:
        signer = signer_cls(creds, service, "us-east-1", expires=expires)
    all_headers = {"Host": urlsplit(url).netloc}
    all_headers.update(headers or {})
    request = AWSRequest(method=method, url=url, headers=all_headers, data=body)
    request.context.update(context or {})
    with mock.patch("botocore.auth.get_current_datetime", return_value=SIGNED_AT):
        signer.add_auth(request)
    prepared = request.prepare()
    parts = urlsplit(prepared.url)
    target = parts.path + ("?" + parts.query if parts.query else "")
    sent_body = prepared.body or b""
    if isinstance(sent_body, str):
        sent_body = sent_body.encode()
    return {
        "name": name,
        "signer": signer_cls.__name__,
        "service": service,
        "region": "us-east-1",
        "signedAt": int(SIGNED_AT.replace(tzinfo=datetime.timezone.utc).timestamp()),
        "expires": expires or 0,
        "method": method,
        "target": target,
        "headers": [[k, v if isinstance(v, str) else v.decode()] for k, v in prepared.headers.items()],
        "body": sent_body.decode("utf-8"),
    }


def cases():
    yield sign("states-json", SigV4Auth, "states", "POST", "https://states.us-east-1.amazonaws.com/",
               {"Content-Type": "application/x-amz-json-1.0",
                "X-Amz-Target": "AWSStepFunctions.StartExecution"},
               b'{"stateMachineArn":"arn:aws:states:us-east-1:000000000000:stateMachine:m","input":"{}"}')
    yield sign("sqs-query-form", SigV4Auth, "sqs", "POST", "http://localhost:4566/",
               {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
               b"Action=SendMessage&QueueUrl=http%3A%2F%2Flocalhost%3A4566%2F000000000000%2Fq"
               b"&MessageBody=hello%20world&Version=2012-11-05")
    yield sign("lambda-restjson-encoded-path", SigV4Auth, "lambda", "POST",
               "http://localhost:4566/2015-03-31/functions/"
               "arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Amy-fn/invocations"
               "?Qualifier=%24LATEST",
               {"X-Amz-Invocation-Type": "RequestResponse"}, b'{"key": "value"}')
    yield sign("ssm-session-token", SigV4Auth, "ssm", "POST", "http://localhost:4566/",
               {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AmazonSSM.GetParameter"},
               b'{"Name":"/s3/lakehouse/name/raw"}', token=TOKEN)
    yield sign("execute-api-dot-segments", SigV4Auth, "execute-api", "GET",
               "http://localhost:4566/prod/./a/../b//c?y=a%20b&x=1&x=0", {}, b"")
    yield sign("s3-get-unicode-key-range", S3SigV4Auth, "s3", "GET",
               "http://localhost:4566/bucket/d%C3%A9j%C3%A0%20vu/file%2B1%21.txt",
               {"Range": "bytes=0-9"})
    yield sign("s3-put-object-metadata", S3SigV4Auth, "s3", "PUT",
               "http://localhost:4566/bucket/raw/2024/03/01/data.json",
               {"Content-Type": "application/json", "x-amz-meta-source": "  api   feed ",
                "x-amz-storage-class": "STANDARD"}, b'{"id": 1}\n')
    yield sign("s3-list-objects-v2", S3SigV4Auth, "s3", "GET",
               "http://localhost:4566/bucket?list-type=2&prefix=a%20b%2F&delimiter=%2F&encoding-type=url")
    yield sign("s3-put-unsigned-payload", S3SigV4Auth, "s3", "PUT",
               "https://localhost:4566/bucket/big.bin", {"Content-MD5": "XUFAKrxLKna5cZ2REBfFkg=="},
               b"hello", context={"client_config": Config(s3={"payload_signing_enabled": False})})
    yield sign("s3-presigned-get", S3SigV4QueryAuth, "s3", "GET",
               "http://localhost:4566/bucket/my%20photo~%281%29.jpg", expires=3600)
    yield sign("s3-presigned-get-with-query", S3SigV4QueryAuth, "s3", "GET",
               "http://localhost:4566/bucket/key.txt?versionId=abc%2Fdef&response-content-type=text%2Fplain",
               expires=900)
    yield sign("s3-presigned-put-session-token", S3SigV4QueryAuth, "s3", "PUT",
               "http://localhost:4566/bucket/upload.csv", token=TOKEN, expires=604800)
    yield sign("sts-presigned-query", SigV4QueryAuth, "sts", "GET",
               "http://localhost:4566/?Action=GetCallerIdentity&Version=2011-06-15", expires=60)


def main():
    out = {
        "generator": "tests/unit/gateway/make_fixtures.py (botocore signers; do not hand-edit)",
        "accessKeyId": ACCESS_KEY,
        "secretAccessKey": SECRET_KEY,
        "cases": list(cases()),
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sigv4_botocore_fixtures.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
