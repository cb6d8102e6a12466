"""How Python sandboxes start: forked from a warm interpreter (the fork
server) unless the function needs a fresh one. Either way a function sees what
a freshly started runtime would show it: its own environment, time zone,
search path and nothing another function left behind."""
import json
import os
import select
import signal
import subprocess
import unittest

from lambda_helpers import LambdaTestCase, zip_of

REPORT = {"app.py": """
import os, sys, time
import shared_state
def handler(event, context):
    shared_state.touched.append(os.environ["AWS_LAMBDA_FUNCTION_NAME"])
    os.environ["LEFT_BEHIND"] = "yes"
    return {
        "pid": os.getpid(),
        "ppid": os.getppid(),
        "cwd": os.getcwd(),
        "touched": shared_state.touched,
        "left_behind": os.environ.get("LEFT_BEHIND_BY_OTHERS"),
        "stage": os.environ.get("STAGE"),
        "tz": time.strftime("%Z", time.localtime(0)),
        "dont_write_bytecode": sys.flags.dont_write_bytecode,
        "hash_randomization": sys.flags.hash_randomization,
        "path_head": sys.path[:3],
        "argv": sys.argv,
    }
""", "shared_state.py": "touched = []\n"}


WRITER = {"app.py": """
import errno, os
def attempt(path):
    try:
        with open(path, "w") as f:
            f.write("x")
        return "written"
    except OSError as e:
        return errno.errorcode[e.errno]
def handler(event, context):
    import layer_mod
    return {
        "task": attempt(os.path.join(os.environ["LAMBDA_TASK_ROOT"], "new.txt")),
        "layer": attempt(os.path.join(os.path.dirname(layer_mod.__file__), "new.txt")),
        "tmp": attempt("/tmp/sluice-sandbox-write-test.txt"),
    }
"""}

NODE_WRITER = {"index.mjs": """
import { writeFileSync } from "node:fs";
export const handler = async () => {
  try { writeFileSync(process.env.LAMBDA_TASK_ROOT + "/new.txt", "x"); return "written"; }
  catch (e) { return e.code; }
};
"""}


def children_of(pid):
    """(pid, command line) of the processes whose parent is pid."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode(errors="replace")
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        if ppid == pid:
            found.append((int(entry), cmdline))
    return found


class SandboxStartTests(LambdaTestCase):
    def test_each_function_starts_clean_with_its_own_environment(self):
        first = self.create(REPORT, Environment={"Variables": {"STAGE": "one",
                                                               "TZ": "America/New_York"}})
        second = self.create(REPORT, Environment={"Variables": {"STAGE": "two"}})
        a = json.loads(self.invoke(first)["body"])
        b = json.loads(self.invoke(second)["body"])
        self.assertNotEqual(a["pid"], b["pid"])
        # Module state and environment changes stay in their own sandbox.
        self.assertEqual(a["touched"], [first])
        self.assertEqual(b["touched"], [second])
        self.assertIsNone(b["left_behind"])
        self.assertEqual((a["stage"], b["stage"]), ("one", "two"))
        # The function's TZ is in force; the default is UTC.
        self.assertIn(a["tz"], ("EST", "EDT"))
        self.assertEqual(b["tz"], "UTC")
        self.assertTrue(os.path.isfile(os.path.join(b["cwd"], "shared_state.py")))
        self.assertTrue(a["argv"][0].endswith("bootstrap.py"))
        # Warm: the same sandbox keeps its module state between invocations.
        again = json.loads(self.invoke(first)["body"])
        self.assertEqual(again["pid"], a["pid"])
        self.assertEqual(again["touched"], [first, first])

    def test_interpreter_settings_in_the_environment_take_effect(self):
        plain = json.loads(self.invoke(self.create(REPORT))["body"])
        self.assertEqual(plain["dont_write_bytecode"], 0)
        self.assertEqual(plain["hash_randomization"], 1)
        tuned = self.create(REPORT, Environment={"Variables": {"PYTHONDONTWRITEBYTECODE": "1",
                                                               "PYTHONHASHSEED": "0"}})
        out = json.loads(self.invoke(tuned)["body"])
        self.assertEqual(out["dont_write_bytecode"], 1)
        self.assertEqual(out["hash_randomization"], 0)

    def test_code_and_layers_are_read_only(self):
        if subprocess.run(["unshare", "-m", "true"], capture_output=True).returncode != 0:
            self.skipTest("this machine refuses mount namespaces: code stays writable here")
        layer = self.lam.publish_layer_version(
            LayerName=self.name("layer"),
            Content={"ZipFile": zip_of({"python/layer_mod.py": "X = 1\n"})})["LayerVersionArn"]
        forked = self.create(WRITER, Layers=[layer])
        started = self.create(WRITER, Layers=[layer],
                              Environment={"Variables": {"PYTHONDONTWRITEBYTECODE": "1"}})
        for name in (forked, started):
            out = json.loads(self.invoke(name)["body"])
            self.assertEqual(out, {"task": "EROFS", "layer": "EROFS", "tmp": "written"}, name)
        node = self.create(NODE_WRITER, handler="index.handler", runtime="nodejs20.x")
        self.assertEqual(json.loads(self.invoke(node)["body"]), "EROFS")

    def test_a_killed_fork_server_is_replaced(self):
        name = self.create(REPORT)
        before = json.loads(self.invoke(name)["body"])
        forks = [pid for pid, cmd in children_of(self.server.proc.pid) if "--fork-server" in cmd]
        self.assertEqual(len(forks), 1, children_of(self.server.proc.pid))
        self.assertEqual(before["ppid"], forks[0])
        sandbox = os.pidfd_open(before["pid"])  # readable once the sandbox has exited
        try:
            os.kill(forks[0], signal.SIGKILL)
            # Its sandboxes die with it; the next invocation starts a new one
            # from a new fork server.
            exited, _, _ = select.select([sandbox], [], [], 10)
            self.assertTrue(exited, "the sandbox outlived its fork server")
        finally:
            os.close(sandbox)
        after = json.loads(self.invoke(name)["body"])
        self.assertNotEqual(after["pid"], before["pid"])
        self.assertEqual(after["touched"], [name])
        forks_now = [pid for pid, cmd in children_of(self.server.proc.pid)
                     if "--fork-server" in cmd]
        self.assertEqual(len(forks_now), 1)
        self.assertNotEqual(forks_now[0], forks[0])
        self.assertEqual(after["ppid"], forks_now[0])


if __name__ == "__main__":
    unittest.main()
