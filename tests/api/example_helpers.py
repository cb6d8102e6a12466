"""Shared by the end-to-end tests of examples/: each test class runs one
example's run.sh against its own started `sluice server`, then checks what the
run left behind."""
import os
import subprocess
import sys
import unittest

from sluice_server import SluiceServer

EXAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples")


def fixture_path(example):
    """Puts the example's fixture/ on sys.path (the generators the tests compare with)."""
    path = os.path.join(EXAMPLES, example, "fixture")
    if path not in sys.path:
        sys.path.insert(0, path)


class ExampleTestCase(unittest.TestCase):
    example = ""        # folder under examples/
    server_args = ()    # extra `sluice server` arguments

    @classmethod
    def setUpClass(cls):
        cls.server = SluiceServer(*cls.server_args).start()
        env = {**os.environ, "SLUICE_ENDPOINT": cls.server.endpoint,
               "SLUICE": os.path.abspath(cls.server.binary)}
        cls.run_sh = subprocess.run([os.path.join(EXAMPLES, cls.example, "run.sh")],
                                    capture_output=True, text=True, env=env, timeout=300)

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def setUp(self):
        self.assertEqual(self.run_sh.returncode, 0, self.run_sh.stdout + self.run_sh.stderr)
