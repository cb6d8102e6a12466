"""The raw step: pulls every configured WordPress endpoint into the raw bucket.

Configuration lives in Parameter Store, as in the original pipeline: the raw
bucket's name under /s3/lakehouse/name/raw, the API's base URL and the list
of endpoints under /wordpress/api/. Each endpoint's answer is stored as it
came, at wordpress_api/<name>/<name>.json. boto3 reaches the same services
on AWS and on Sluice (which points AWS_ENDPOINT_URL at itself).
"""
import json
import os
import urllib.request

import boto3

ssm = boto3.client("ssm")
s3 = boto3.client("s3")


def parameter(name):
    return ssm.get_parameter(Name=name)["Parameter"]["Value"]


def handler(event, context):
    bucket = parameter(os.environ["RAW_BUCKET_PARAMETER"])
    base = parameter(os.environ["API_URL_PARAMETER"]).rstrip("/")
    endpoints = parameter(os.environ["ENDPOINTS_PARAMETER"]).split(",")
    objects = []
    for name in endpoints:
        with urllib.request.urlopen(f"{base}/{name}", timeout=30) as response:
            body = response.read()
        records = len(json.loads(body))
        key = f"wordpress_api/{name}/{name}.json"
        s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType="application/json")
        print(f"{name}: {records} records -> s3://{bucket}/{key}")
        objects.append({"endpoint": name, "key": key, "records": records})
    return {"bucket": bucket, "objects": objects}
