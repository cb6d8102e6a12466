#!/usr/bin/env python3
"""CloudFormation benchmark (bounded, ~30 s): a stack of --resources resources
(Parameter Store parameters, SQS queues and SNS topics in equal parts) created
with CreateStack and deleted with DeleteStack, as a user runs it (boto3 against
`sluice server`; CreateStack answers once the stack is CREATE_COMPLETE), against
the floor: the same resources created and deleted by the same boto3 client
calling the services directly, one call each, on a fresh server in the same run.

    bench/cloudformation_bench.py [--build build] [--resources 120] [--runs 3]
"""
import argparse
import json

import boto3
from botocore.config import Config

from bench_server import print_ratios, sluice_server, timed_ms


def client(port, service):
    return boto3.client(service, endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test",
                        config=Config(retries={"max_attempts": 1}))


def template(n, run):
    resources = {}
    for i in range(n):
        kind = i % 3
        if kind == 0:
            resources[f"P{i}"] = {"Type": "AWS::SSM::Parameter", "Properties": {
                "Name": f"/bench/{run}/p{i}", "Type": "String", "Value": f"v{i}"}}
        elif kind == 1:
            resources[f"Q{i}"] = {"Type": "AWS::SQS::Queue",
                                  "Properties": {"QueueName": f"bench-{run}-q{i}"}}
        else:
            resources[f"T{i}"] = {"Type": "AWS::SNS::Topic",
                                  "Properties": {"TopicName": f"bench-{run}-t{i}"}}
    return json.dumps({"Resources": resources})


def direct(port, n, run):
    ssm, sqs, sns = (client(port, s) for s in ("ssm", "sqs", "sns"))
    made = []

    def create():
        for i in range(n):
            kind = i % 3
            if kind == 0:
                ssm.put_parameter(Name=f"/bench/{run}/p{i}", Type="String", Value=f"v{i}")
                made.append(("p", f"/bench/{run}/p{i}"))
            elif kind == 1:
                made.append(("q", sqs.create_queue(QueueName=f"bench-{run}-q{i}")["QueueUrl"]))
            else:
                made.append(("t", sns.create_topic(Name=f"bench-{run}-t{i}")["TopicArn"]))

    def delete():
        for kind, name in reversed(made):
            if kind == "p":
                ssm.delete_parameter(Name=name)
            elif kind == "q":
                sqs.delete_queue(QueueUrl=name)
            else:
                sns.delete_topic(TopicArn=name)
    return timed_ms(create), timed_ms(delete)


def stack(port, n, run):
    cfn = client(port, "cloudformation")
    body = template(n, run)

    def create():
        cfn.create_stack(StackName=f"bench-{run}", TemplateBody=body)
        status = cfn.describe_stacks(StackName=f"bench-{run}")["Stacks"][0]["StackStatus"]
        assert status == "CREATE_COMPLETE", status

    def delete():
        cfn.delete_stack(StackName=f"bench-{run}")
    return timed_ms(create), timed_ms(delete)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--resources", type=int, default=120)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    with sluice_server(args.build) as cfn_port, sluice_server(args.build) as direct_port:
        best = {}
        for run in range(args.runs):
            for label, (ms_create, ms_delete) in (
                    ("stack", stack(cfn_port, args.resources, run)),
                    ("direct", direct(direct_port, args.resources, run))):
                c, d = best.get(label, (float("inf"), float("inf")))
                best[label] = (min(c, ms_create), min(d, ms_delete))
    print(f"{args.resources} resources, best of {args.runs} runs")
    print_ratios("CloudFormation", "direct API", [
        ("create", best["stack"][0], best["direct"][0]),
        ("delete", best["stack"][1], best["direct"][1])])


if __name__ == "__main__":
    main()
