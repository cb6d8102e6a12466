"""SNS https subscriptions: deliveries over TLS with the endpoint's
certificate verified. The test serves HTTPS with a self-signed certificate it
generates with the openssl CLI; a server given that certificate in --ca-file
(SLUICE_CA_FILE) delivers, a server without it refuses the endpoint."""
import http.server
import json
import os
import queue
import shutil
import tempfile
import threading
import unittest

from sluice_server import SluiceServer
from tls_helpers import self_signed_certificate, server_context


class Hook(http.server.BaseHTTPRequestHandler):
    received = queue.Queue()

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Hook.received.put((dict(self.headers), json.loads(body)))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


class SnsHttpsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="sluice-tls-")
        cls.cert, key = self_signed_certificate(cls.tmp)
        context = server_context(cls.cert, key)
        cls.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
        cls.httpd.socket = context.wrap_socket(cls.httpd.socket, server_side=True)
        threading.Thread(target=cls.httpd.serve_forever, daemon=True).start()
        cls.port = cls.httpd.server_address[1]

    @classmethod
    def tearDownClass(cls):
        cls.httpd.shutdown()
        cls.httpd.server_close()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_https_endpoint_with_a_trusted_certificate(self):
        server = SluiceServer("--ca-file", self.cert).start()
        try:
            sns = server.client("sns")
            topic = sns.create_topic(Name="secure")["TopicArn"]
            endpoint = f"https://127.0.0.1:{self.port}/hook"
            self.assertEqual(sns.subscribe(TopicArn=topic, Protocol="https", Endpoint=endpoint)
                             ["SubscriptionArn"], "pending confirmation")
            headers, body = Hook.received.get(timeout=10)
            self.assertEqual(headers["x-amz-sns-message-type"], "SubscriptionConfirmation")
            arn = sns.confirm_subscription(TopicArn=topic, Token=body["Token"])["SubscriptionArn"]
            message_id = sns.publish(TopicArn=topic, Message="over TLS")["MessageId"]
            headers, body = Hook.received.get(timeout=10)
            self.assertEqual(body["Type"], "Notification")
            self.assertEqual(body["MessageId"], message_id)
            self.assertEqual(body["Message"], "over TLS")
            self.assertEqual(headers["x-amz-sns-subscription-arn"], arn)
            # The host name is checked too: "localhost" is in the certificate.
            sns.subscribe(TopicArn=topic, Protocol="https", Endpoint=f"https://localhost:{self.port}/h2")
            headers, body = Hook.received.get(timeout=10)
            self.assertEqual(body["Type"], "SubscriptionConfirmation")
        finally:
            server.cleanup()

    def test_an_untrusted_certificate_gets_nothing(self):
        # No --ca-file: the self-signed certificate is unknown. The virtual
        # clock runs every retry of the back-off; idle() returns once each
        # attempt has failed its handshake.
        server = SluiceServer("--clock", "virtual").start()
        try:
            sns = server.client("sns")
            topic = sns.create_topic(Name="untrusted")["TopicArn"]
            sns.subscribe(TopicArn=topic, Protocol="https", Endpoint=f"https://127.0.0.1:{self.port}/hook")
            server.idle()
            server.admin("/_sluice/clock/advance", {"seconds": 3600})
            self.assertTrue(Hook.received.empty())
            subs = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
            self.assertEqual([s["SubscriptionArn"] for s in subs], ["PendingConfirmation"])
        finally:
            server.cleanup()

    def test_a_bad_ca_file_is_refused_at_start(self):
        bogus = os.path.join(self.tmp, "not-a-cert.pem")
        with open(bogus, "w") as f:
            f.write("not a certificate\n")
        server = SluiceServer("--ca-file", bogus)
        with self.assertRaises(RuntimeError):
            server.start()
        server.cleanup()


if __name__ == "__main__":
    unittest.main()
