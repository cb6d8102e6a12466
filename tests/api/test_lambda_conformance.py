"""The recorded ASL conformance cases that call Lambda, run through
`sluice server` with real Python functions behaving as each case's
`functions` entry says (../shared/conformance/README.md), compared by the
conformance runner itself (`sluice_conformance --actual`), so the rules for
matching are the same as for the in-process runs.

Every case gets fresh functions: the same function name means different
behaviours in different cases. The server runs as account 111111111111, the
account the recordings use, on a virtual clock that the test moves when an
execution waits (Wait states, TimeoutSeconds over a sleeping function)."""
import glob
import json
import os
import re
import subprocess
import tempfile
import time
import unittest

from lambda_helpers import zip_of
from sluice_server import SluiceServer

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.environ.get("SLUICE_CONFORMANCE_DIR",
                       os.path.join(HERE, "..", "..", "..", "shared", "conformance", "cases"))
ROLE = "arn:aws:iam::111111111111:role/conformance"


def function_code(behaviour):
    """handler.py for a README behaviour, laid out so that tracebacks show
    the lines the recordings show."""
    kind, _, arg = behaviour.partition(":")
    if kind == "echo":
        return "def handler(event, context):\n    return event\n", 3
    if kind in ("return", "return_raw"):
        # return_raw texts in the corpus are JSON documents: returning the
        # decoded value makes the runtime answer exactly those bytes.
        return ("import json\ndef handler(event, context):\n"
                f"    return json.loads({arg!r})\n"), 3
    if kind == "raise":
        error_type, _, message = arg.partition(":")
        literal = json.dumps(message) if message else ""
        if error_type == "Exception":
            return f"def handler(event, context):\n    raise Exception({literal})\n", 3
        return (f"class {error_type}(Exception):\n    pass\n\n\n\n\n\n"
                f"def handler(event, context):\n    raise {error_type}({literal})\n"), 3
    if kind == "sleep_echo":
        return ("import time\ndef handler(event, context):\n"
                f"    time.sleep({int(arg)})\n    return event\n"), int(arg) + 30
    if kind == "return_large_string":
        return f"def handler(event, context):\n    return 'a' * {int(arg)}\n", 3
    if kind == "python_fstring":
        return f"def handler(event, context):\n    return f{arg!r}\n", 3
    raise ValueError(f"unknown behaviour {behaviour}")


def lambda_cases():
    for path in sorted(glob.glob(os.path.join(CASES, "*", "*.json"))):
        with open(path) as f:
            case = json.load(f)
        if "functions" in case and "kind" not in case:
            yield case


class LambdaConformanceThroughTheServer(unittest.TestCase):
    def test_recorded_lambda_cases(self):
        cases = list(lambda_cases())
        self.assertGreater(len(cases), 50, f"no Lambda cases found under {CASES}")
        server = SluiceServer("--account", "111111111111", "--clock", "virtual").start()
        runs = {}
        try:
            lam = server.client("lambda")
            sfn = server.client("stepfunctions")
            for i, case in enumerate(cases):
                runs[case["name"]] = self.run_case(server, lam, sfn, i, case)
        finally:
            server.cleanup()
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(runs, f, default=str)
            actual = f.name
        try:
            binary = os.environ.get("SLUICE_CONFORMANCE_BINARY", os.path.join(
                os.path.dirname(os.environ.get("SLUICE_BINARY", "build/sluice")), "tests",
                "sluice_conformance"))
            r = subprocess.run([binary, "--cases", CASES, "--actual", actual],
                               capture_output=True, text=True, timeout=120)
        finally:
            os.unlink(actual)
        summary = re.search(r"(\d+) passed, (\d+) failed", r.stdout)
        self.assertIsNotNone(summary, r.stdout + r.stderr)
        passed, failed = int(summary.group(1)), int(summary.group(2))
        print(f"\nLambda conformance through the server: {passed} passed, {failed} failed "
              f"of {len(cases)}")
        self.assertEqual(passed + failed, len(cases), r.stdout)
        self.assertEqual(failed, 0, r.stdout)

    def run_case(self, server, lam, sfn, i, case):
        for f in lam.list_functions()["Functions"]:
            lam.delete_function(FunctionName=f["FunctionName"])
        for name, behaviour in case["functions"].items():
            code, timeout = function_code(behaviour)
            lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE,
                                Handler="handler.handler", Timeout=timeout,
                                Code={"ZipFile": zip_of({"handler.py": code})})
        definition = case.get("definition_string") or json.dumps(case["definition"])
        kind = case.get("state_machine_type", "STANDARD")
        arn = sfn.create_state_machine(name=f"conformance-{i}", definition=definition,
                                       roleArn=ROLE, type=kind)["stateMachineArn"]
        payload = json.dumps(case.get("input", {}))
        if case.get("start") == "StartSyncExecution":
            # The call answers when the execution ends; the clock moves meanwhile.
            import threading
            result = {}
            call = threading.Thread(target=lambda: result.update(
                sfn.start_sync_execution(stateMachineArn=arn, input=payload)))
            call.start()
            for tick in range(3000):
                call.join(0.02)
                if not call.is_alive():
                    break
                if tick % 10 == 9:
                    server.admin("/_sluice/clock/advance", {"seconds": 30})
            call.join()
            run = {k: result[k] for k in ("status", "output", "error", "cause") if k in result}
            run["history"] = []
            return run
        execution = sfn.start_execution(stateMachineArn=arn, input=payload)["executionArn"]
        deadline = time.monotonic() + 60
        quiet = 0
        while time.monotonic() < deadline:
            d = sfn.describe_execution(executionArn=execution)
            if d["status"] != "RUNNING":
                break
            quiet += 1
            if quiet % 10 == 0:  # waiting on the clock (a Wait, a timeout)
                server.admin("/_sluice/clock/advance", {"seconds": 30})
            time.sleep(0.02)
        run = {k: d[k] for k in ("status", "output", "error", "cause") if k in d}
        history, token = [], None
        while True:
            kwargs = {"executionArn": execution, "maxResults": 1000}
            if token:
                kwargs["nextToken"] = token
            page = sfn.get_execution_history(**kwargs)
            history += page["events"]
            token = page.get("nextToken")
            if not token:
                break
        run["history"] = history
        return run


if __name__ == "__main__":
    unittest.main()
