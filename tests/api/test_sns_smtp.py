"""SNS email and email-json subscriptions delivered over SMTP when the server
is started with --smtp (or SLUICE_SMTP), to a minimal SMTP server run by the
test: the confirmation, notifications, dot-stuffing, retries after transient
refusals, no retry after a permanent one, and STARTTLS."""
import email
import email.policy
import json
import os
import re
import shutil
import socketserver
import tempfile
import threading
import time
import unittest

from sluice_server import SluiceServer
from tls_helpers import self_signed_certificate, server_context


class Mailbox:
    def __init__(self):
        self.lock = threading.Lock()
        self.messages = []  # (mail_from, rcpt_to, raw bytes)
        self.refuse = {}  # recipient -> list of replies to give RCPT TO before accepting
        self.attempts = {}  # recipient -> RCPT TO count
        self.secure = []  # per message: whether it came over STARTTLS

    def wait_for(self, predicate, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.lock:
                found = [m for m in self.messages if predicate(m)]
            if found:
                return found
            time.sleep(0.05)
        return []


class SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough of RFC 5321 for a client that sends one message."""

    def reply(self, line):
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        box = self.server.mailbox
        self.reply("220 test.local ESMTP ready")
        mail_from, rcpt, secure = None, None, False
        tls = getattr(self.server, "tls", None)
        while True:
            line = self.rfile.readline()
            if not line:
                return
            command = line.decode().rstrip("\r\n")
            verb = command.split(" ", 1)[0].upper()
            if verb == "EHLO":
                self.reply("250-test.local greets you")
                if tls and not secure:
                    self.reply("250-STARTTLS")
                self.reply("250-8BITMIME")
                self.reply("250 SIZE 1000000")
            elif verb == "STARTTLS" and tls and not secure:
                self.reply("220 Ready to start TLS")
                self.connection = tls.wrap_socket(self.connection, server_side=True)
                self.rfile = self.connection.makefile("rb")
                self.wfile = self.connection.makefile("wb", buffering=0)
                secure = True
            elif verb == "MAIL":
                mail_from = re.search(r"<(.*)>", command).group(1)
                self.reply("250 OK")
            elif verb == "RCPT":
                rcpt = re.search(r"<(.*)>", command).group(1)
                with box.lock:
                    box.attempts[rcpt] = box.attempts.get(rcpt, 0) + 1
                    queued = box.refuse.get(rcpt)
                    refusal = queued.pop(0) if queued else None
                self.reply(refusal or "250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while True:
                    data = self.rfile.readline()
                    if data in (b".\r\n", b""):
                        break
                    if data.startswith(b".."):
                        data = data[1:]
                    lines.append(data)
                with box.lock:
                    box.messages.append((mail_from, rcpt, b"".join(lines)))
                    box.secure.append(secure)
                self.reply("250 OK queued")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")


class SnsSmtpTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.smtpd = socketserver.ThreadingTCPServer(("127.0.0.1", 0), SmtpHandler)
        cls.smtpd.daemon_threads = True
        cls.smtpd.mailbox = cls.mailbox = Mailbox()
        threading.Thread(target=cls.smtpd.serve_forever, daemon=True).start()
        # The relay from the environment; --smtp is the same setting.
        # Retry back-offs run on the server's clock: the tests step through them.
        cls.server = SluiceServer("--clock", "virtual", env={
            "SLUICE_SMTP": f"127.0.0.1:{cls.smtpd.server_address[1]}"}).start()
        cls.sns = cls.server.client("sns")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()
        cls.smtpd.shutdown()
        cls.smtpd.server_close()

    def mail_to(self, rcpt, contains):
        found = self.mailbox.wait_for(lambda m: m[1] == rcpt and contains.encode() in m[2])
        self.assertTrue(found, f"no mail to {rcpt} containing {contains!r}")
        return found[0]

    def subscribe_confirmed(self, topic, protocol, address):
        self.sns.subscribe(TopicArn=topic, Protocol=protocol, Endpoint=address)
        _, _, raw = self.mail_to(address, "Subscription Confirmation")
        token = re.search(rb"Token: (\w+)", raw).group(1).decode()
        return self.sns.confirm_subscription(TopicArn=topic, Token=token)["SubscriptionArn"]

    def test_email_notification_over_smtp(self):
        topic = self.sns.create_topic(Name="alerts")["TopicArn"]
        self.subscribe_confirmed(topic, "email", "ops@example.com")
        message_id = self.sns.publish(TopicArn=topic, Subject="Pipeline alert",
                                      Message="the nightly load failed\n.\n..dots stay")["MessageId"]
        mail_from, rcpt, raw = self.mail_to("ops@example.com", "the nightly load failed")
        self.assertEqual(mail_from, "no-reply@sns.amazonaws.com")
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        self.assertEqual(msg["Subject"], "Pipeline alert")
        self.assertEqual(msg["To"], "ops@example.com")
        self.assertIn("no-reply@sns.amazonaws.com", msg["From"])
        self.assertIsNotNone(msg["Date"].datetime)  # an RFC 5322 date
        self.assertIn(message_id, msg["Message-ID"])
        body = msg.get_content()
        # Lines starting with "." survive the SMTP dot-stuffing both ways.
        self.assertIn("the nightly load failed\n.\n..dots stay", body.replace("\r\n", "\n"))
        self.assertIn("Action=Unsubscribe", body)
        # With a relay configured nothing is written to the outbox.
        self.assertFalse(os.path.exists(os.path.join(self.server.data_dir, "outbox")))

    def test_email_json_and_utf8_subject(self):
        topic = self.sns.create_topic(Name="json-alerts")["TopicArn"]
        arn = self.subscribe_confirmed(topic, "email-json", "robot@example.com")
        message_id = self.sns.publish(TopicArn=topic, Subject="Ärger im Lager", Message="données")["MessageId"]
        _, _, raw = self.mail_to("robot@example.com", message_id)
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        self.assertEqual(msg["Subject"], "Ärger im Lager")
        self.assertEqual(msg.get_content_type(), "application/json")
        envelope = json.loads(msg.get_payload(decode=True).decode("utf-8"))
        self.assertEqual(envelope["Type"], "Notification")
        self.assertEqual(envelope["MessageId"], message_id)
        self.assertEqual(envelope["Message"], "données")
        self.assertIn(arn, envelope["UnsubscribeURL"])

    def test_transient_refusals_are_retried(self):
        topic = self.sns.create_topic(Name="retry-mail")["TopicArn"]
        self.subscribe_confirmed(topic, "email", "later@example.com")
        with self.mailbox.lock:
            self.mailbox.refuse["later@example.com"] = ["451 4.3.0 try again later",
                                                        "421 4.3.2 service not available"]
            self.mailbox.attempts["later@example.com"] = 0
        self.sns.publish(TopicArn=topic, Message="eventually delivered")
        self.server.idle()  # the first attempt, refused with 451
        # AWS's SMTP policy: the first two retries 10 s apart.
        self.server.admin("/_sluice/clock/advance", {"seconds": 9})
        with self.mailbox.lock:
            self.assertEqual(self.mailbox.attempts["later@example.com"], 1)
        self.server.admin("/_sluice/clock/advance", {"seconds": 1})  # the second, 421
        with self.mailbox.lock:
            self.assertEqual(self.mailbox.attempts["later@example.com"], 2)
        self.server.admin("/_sluice/clock/advance", {"seconds": 10})  # the third, accepted
        self.mail_to("later@example.com", "eventually delivered")
        with self.mailbox.lock:
            self.assertEqual(self.mailbox.attempts["later@example.com"], 3)

    def test_a_permanent_refusal_is_not_retried(self):
        topic = self.sns.create_topic(Name="bounce")["TopicArn"]
        self.subscribe_confirmed(topic, "email", "gone@example.com")
        with self.mailbox.lock:
            self.mailbox.refuse["gone@example.com"] = ["550 5.1.1 no such user"] * 5
            self.mailbox.attempts["gone@example.com"] = 0
        self.sns.publish(TopicArn=topic, Message="bounced")
        self.server.idle()
        # Past every back-off a transient failure gets (over 6 hours): no
        # other attempt.
        self.server.admin("/_sluice/clock/advance", {"seconds": 8 * 3600})
        with self.mailbox.lock:
            self.assertEqual(self.mailbox.attempts["gone@example.com"], 1)
            self.assertFalse([m for m in self.mailbox.messages if b"bounced" in m[2]])


class SnsSmtpStartTlsTest(unittest.TestCase):
    """A relay offering STARTTLS gets the mail over TLS, its certificate
    verified against --ca-file."""

    def test_mail_goes_over_starttls(self):
        tmp = tempfile.mkdtemp(prefix="sluice-smtp-tls-")
        smtpd = socketserver.ThreadingTCPServer(("127.0.0.1", 0), SmtpHandler)
        smtpd.daemon_threads = True
        smtpd.mailbox = box = Mailbox()
        cert, key = self_signed_certificate(tmp)
        smtpd.tls = server_context(cert, key)
        threading.Thread(target=smtpd.serve_forever, daemon=True).start()
        server = SluiceServer("--smtp", f"127.0.0.1:{smtpd.server_address[1]}", "--ca-file", cert).start()
        try:
            sns = server.client("sns")
            topic = sns.create_topic(Name="tls-mail")["TopicArn"]
            sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="secure@example.com")
            found = box.wait_for(lambda m: b"Subscription Confirmation" in m[2])
            self.assertTrue(found, "no confirmation mail")
            with box.lock:
                self.assertEqual(box.secure, [True])
        finally:
            server.cleanup()
            smtpd.shutdown()
            smtpd.server_close()
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
