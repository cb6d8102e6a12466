"""MD5 digests of SQS messages, written from AWS's documented algorithm
("Calculating the MD5 message digest for message attributes") so the tests
check the server against an independent implementation."""
import hashlib
import struct


def md5_of_body(body):
    return hashlib.md5(body.encode("utf-8")).hexdigest()


def md5_of_attributes(attributes):
    def prefixed(data):
        return struct.pack(">I", len(data)) + data

    encoded = b""
    for name in sorted(attributes):
        value = attributes[name]
        encoded += prefixed(name.encode("utf-8"))
        encoded += prefixed(value["DataType"].encode("utf-8"))
        if value["DataType"].startswith("Binary"):
            encoded += b"\x02" + prefixed(value["BinaryValue"])
        else:
            encoded += b"\x01" + prefixed(value["StringValue"].encode("utf-8"))
    return hashlib.md5(encoded).hexdigest()
