"""Converts call recordings for the archive, one SQS message (an S3 key) each.

A recording is 16-bit PCM, 8 kHz, stereo (256 kb/s); the archive keeps it as
8-bit A-law, 8 kHz, mono (64 kb/s): the channels are mixed, the samples
companded with the standard library's audioop, and the file overwritten in
place as GLACIER_IR with the tag converted=True. The bucket is versioned, so
the original survives as a noncurrent version until lifecycle expires it.
Recordings already converted are left alone; a file that is not audio fails
its message (ReportBatchItemFailures), which SQS retries, then moves to the
dead-letter queue.
"""
import audioop  # deprecated in 3.11, still the standard library's G.711 codec here
import io
import os
import struct
import wave

import boto3

s3 = boto3.client("s3")
BUCKET = os.environ["BUCKET"]


def alaw_wav(pcm_wav):
    """A WAV file (format 6, A-law) of the mono mix of a 16-bit PCM WAV."""
    with wave.open(io.BytesIO(pcm_wav)) as w:
        if w.getsampwidth() != 2:
            raise ValueError(f"expected 16-bit samples, got {8 * w.getsampwidth()}-bit")
        rate, channels = w.getframerate(), w.getnchannels()
        frames = w.readframes(w.getnframes())
    mono = audioop.tomono(frames, 2, 0.5, 0.5) if channels == 2 else frames
    if rate != 8000:
        mono, _ = audioop.ratecv(mono, 2, 1, rate, 8000, None)
    data = audioop.lin2alaw(mono, 2)
    # RIFF with a WAVE_FORMAT_ALAW fmt chunk (18 bytes) and the fact chunk
    # non-PCM formats carry.
    fmt = struct.pack("<HHIIHHH", 6, 1, 8000, 8000, 1, 8, 0)
    chunks = (b"fmt " + struct.pack("<I", len(fmt)) + fmt +
              b"fact" + struct.pack("<II", 4, len(data)) +
              b"data" + struct.pack("<I", len(data)) + data + (b"\0" if len(data) % 2 else b""))
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WAVE" + chunks


def converted(key):
    tags = s3.get_object_tagging(Bucket=BUCKET, Key=key)["TagSet"]
    return any(t["Key"] == "converted" and t["Value"] == "True" for t in tags)


def handler(event, context):
    failures = []
    for record in event["Records"]:
        key = record["body"]
        try:
            if converted(key):
                print(f"{key}: already converted")
                continue
            original = s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
            archived = alaw_wav(original)
            s3.put_object(Bucket=BUCKET, Key=key, Body=archived, ContentType="audio/wav",
                          StorageClass="GLACIER_IR", Tagging="converted=True")
            print(f"{key}: {len(original)} -> {len(archived)} bytes")
        except Exception as e:  # this message fails; the others go on
            print(f"{key}: {type(e).__name__}: {e}")
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
