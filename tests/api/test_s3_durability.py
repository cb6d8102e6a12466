"""S3 durability and atomicity: acknowledged PUTs survive kill -9 of the
server; concurrent PUTs to one key leave one whole winner; readers never see a
partial object."""
import concurrent.futures
import hashlib
import os
import signal
import threading
import unittest

from s3_helpers import s3_client
from sluice_server import SluiceServer


class DurabilityTest(unittest.TestCase):
    def test_acknowledged_puts_survive_kill_9(self):
        server = SluiceServer().start()
        try:
            s3 = s3_client(server)
            s3.create_bucket(Bucket="durable")
            acked = {}
            for i in range(30):
                body = os.urandom(1000 + i * 4096)
                s3.put_object(Bucket="durable", Key=f"obj/{i}", Body=body)
                acked[f"obj/{i}"] = hashlib.sha256(body).hexdigest()
            uid = s3.create_multipart_upload(Bucket="durable", Key="mp")["UploadId"]
            e = s3.upload_part(Bucket="durable", Key="mp", UploadId=uid, PartNumber=1,
                               Body=b"part")["ETag"]
            s3.complete_multipart_upload(Bucket="durable", Key="mp", UploadId=uid,
                                         MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e}]})
            acked["mp"] = hashlib.sha256(b"part").hexdigest()
            server.stop(sig=signal.SIGKILL)
            server.start()
            s3 = s3_client(server)
            for key, digest in acked.items():
                body = s3.get_object(Bucket="durable", Key=key)["Body"].read()
                self.assertEqual(hashlib.sha256(body).hexdigest(), digest, key)
            listed = s3.list_objects_v2(Bucket="durable")["KeyCount"]
            self.assertEqual(listed, len(acked))
        finally:
            server.cleanup()

    def test_concurrent_puts_and_reads_of_one_key(self):
        server = SluiceServer().start()
        try:
            s3 = s3_client(server, max_pool_connections=20)
            s3.create_bucket(Bucket="race")
            bodies = [bytes([i]) * (256 * 1024 + i) for i in range(12)]
            digests = {hashlib.sha256(b).hexdigest() for b in bodies}
            s3.put_object(Bucket="race", Key="k", Body=bodies[0])
            stop = threading.Event()
            torn = []

            def reader():
                while not stop.is_set():
                    body = s3.get_object(Bucket="race", Key="k")["Body"].read()
                    if hashlib.sha256(body).hexdigest() not in digests:
                        torn.append(len(body))

            readers = [threading.Thread(target=reader) for _ in range(3)]
            for t in readers:
                t.start()
            with concurrent.futures.ThreadPoolExecutor(8) as pool:
                list(pool.map(lambda b: s3.put_object(Bucket="race", Key="k", Body=b), bodies))
            stop.set()
            for t in readers:
                t.join()
            self.assertEqual(torn, [])
            final = s3.get_object(Bucket="race", Key="k")["Body"].read()
            self.assertIn(hashlib.sha256(final).hexdigest(), digests)
            # One version, one file: the losers' files are gone.
            files = [f for _, _, fs in os.walk(os.path.join(server.data_dir, "objects")) for f in fs]
            self.assertEqual(len(files), 1, files)
        finally:
            server.cleanup()


if __name__ == "__main__":
    unittest.main()
