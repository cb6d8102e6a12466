"""The AWS CLI's S3 commands (`aws s3 cp/sync/ls/rm`, `aws s3api`) against a
started server, including a ~40 MiB multipart upload."""
import hashlib
import json
import os
import subprocess
import tempfile
import unittest

from sluice_server import REGION, SluiceServer

MiB = 1024 * 1024


class AwsCliS3Test(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = SluiceServer().start()
        cls.env = {**os.environ, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                   "AWS_DEFAULT_REGION": REGION, "AWS_PAGER": ""}
        cls.tmp = tempfile.TemporaryDirectory()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()
        cls.tmp.cleanup()

    def aws(self, *args, check=True):
        r = subprocess.run(["aws", "--endpoint-url", self.server.endpoint, "--output", "json",
                            *args], capture_output=True, text=True, env=self.env, timeout=120)
        if check and r.returncode != 0:
            self.fail(f"aws {' '.join(args)} failed: {r.stderr}")
        return r

    def path(self, *parts):
        p = os.path.join(self.tmp.name, *parts)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        return p

    def test_cp_large_file_multipart_and_back(self):
        self.aws("s3", "mb", "s3://cli-big")
        data = os.urandom(40 * MiB + 17)
        src = self.path("big", "src.bin")
        with open(src, "wb") as f:
            f.write(data)
        self.aws("s3", "cp", src, "s3://cli-big/data/big.bin")
        head = json.loads(self.aws("s3api", "head-object", "--bucket", "cli-big", "--key",
                                   "data/big.bin").stdout)
        self.assertEqual(head["ContentLength"], len(data))
        self.assertTrue(head["ETag"].endswith('-6"'), head["ETag"])  # 5 parts of 8 MiB + 17 bytes
        dst = self.path("big", "dst.bin")
        self.aws("s3", "cp", "s3://cli-big/data/big.bin", dst)
        with open(dst, "rb") as f:
            self.assertEqual(hashlib.md5(f.read()).digest(), hashlib.md5(data).digest())

    def test_sync_ls_rm(self):
        self.aws("s3", "mb", "s3://cli-sync")
        files = {"a.txt": b"alpha", "sub/b.txt": b"beta", "sub/deeper/c.txt": b"gamma"}
        for name, body in files.items():
            with open(self.path("tree", name), "wb") as f:
                f.write(body)
        self.aws("s3", "sync", self.path("tree", ""), "s3://cli-sync/prefix/")
        listing = self.aws("s3", "ls", "--recursive", "s3://cli-sync/prefix/").stdout
        for name in files:
            self.assertIn("prefix/" + name, listing)
        top = self.aws("s3", "ls", "s3://cli-sync/prefix/").stdout
        self.assertIn("PRE sub/", top)
        # A second sync has nothing to do.
        again = self.aws("s3", "sync", self.path("tree", ""), "s3://cli-sync/prefix/").stdout
        self.assertEqual(again.strip(), "")
        self.aws("s3", "sync", "s3://cli-sync/prefix/", self.path("back", ""))
        for name, body in files.items():
            with open(self.path("back", name), "rb") as f:
                self.assertEqual(f.read(), body)
        self.aws("s3", "rm", "--recursive", "s3://cli-sync/prefix/sub/")
        left = json.loads(self.aws("s3api", "list-objects-v2", "--bucket", "cli-sync").stdout)
        self.assertEqual([o["Key"] for o in left["Contents"]], ["prefix/a.txt"])
        self.aws("s3", "rb", "s3://cli-sync", "--force")
        self.assertIn("cli-sync", self.aws("s3", "ls").stdout + "cli-sync")
        missing = self.aws("s3api", "head-bucket", "--bucket", "cli-sync", check=False)
        self.assertNotEqual(missing.returncode, 0)

    def test_s3api_errors(self):
        r = self.aws("s3api", "get-object", "--bucket", "cli-nope", "--key", "k",
                     self.path("out", "x"), check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("NoSuchBucket", r.stderr)
        self.aws("s3api", "create-bucket", "--bucket", "cli-api")
        self.aws("s3api", "put-object", "--bucket", "cli-api", "--key", "k", "--body",
                 __file__)
        r = self.aws("s3api", "get-object", "--bucket", "cli-api", "--key", "k", "--range",
                     "bytes=999999-", self.path("out", "y"), check=False)
        self.assertIn("InvalidRange", r.stderr)


if __name__ == "__main__":
    unittest.main()
