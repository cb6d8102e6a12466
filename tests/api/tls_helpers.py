"""A self-signed certificate for 127.0.0.1 and localhost, made with the
openssl CLI, for tests that serve TLS to the server (https endpoints, SMTP
STARTTLS)."""
import os
import ssl
import subprocess


def self_signed_certificate(directory):
    """Writes cert.pem and key.pem into `directory`; returns their paths."""
    cert, key = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", cert, "-days", "1", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True)
    return cert, key


def server_context(cert, key):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context
