// S3 checksums as the JS SDK sends them: x-amz-checksum-* headers for
// buffered bodies, aws-chunked bodies with a checksum trailer
// (STREAMING-UNSIGNED-PAYLOAD-TRAILER) for streams, and ChecksumMode on GET,
// which the SDK validates itself.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  CreateBucketCommand, GetObjectAttributesCommand, GetObjectCommand, HeadObjectCommand,
  PutObjectCommand, S3Client,
} from '@aws-sdk/client-s3';
import { clientConfig, startServer } from './server.mjs';

let server;
let s3;
const bucket = 'js-checksums';
let sentHeaders = [];  // headers of the requests the SDK sent, as signed

// CRC-32 (IEEE), written here as the test's own oracle.
function crc32(buf) {
  let c = ~0 >>> 0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  const out = Buffer.alloc(4);
  out.writeUInt32BE((~c) >>> 0);
  return out.toString('base64');
}
const sha256 = (buf) => createHash('sha256').update(buf).digest('base64');

before(async () => {
  server = await startServer();
  s3 = new S3Client({ ...clientConfig(server.endpoint), forcePathStyle: true });
  s3.middlewareStack.add((next) => async (args) => {
    sentHeaders.push({ ...args.request.headers });
    return next(args);
  }, { step: 'finalizeRequest', priority: 'low', name: 'recordHeaders' });
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
});
after(async () => server.stop());

test('a buffered PUT with a CRC32 header is stored with that checksum', async () => {
  const body = Buffer.from('bronze,silver,gold\n'.repeat(100));
  const put = await s3.send(new PutObjectCommand({
    Bucket: bucket, Key: 'buffered.csv', Body: body, ChecksumAlgorithm: 'CRC32',
  }));
  assert.equal(put.ChecksumCRC32, crc32(body));
  const got = await s3.send(new GetObjectCommand({
    Bucket: bucket, Key: 'buffered.csv', ChecksumMode: 'ENABLED',
  }));
  assert.equal(got.ChecksumCRC32, crc32(body));
  assert.deepEqual(Buffer.from(await got.Body.transformToByteArray()), body);
});

test('a streamed PUT carries its checksum in an aws-chunked trailer', async () => {
  const body = Buffer.alloc(3 * 1024 * 1024 + 17, 'x');
  for (let i = 0; i < body.length; i += 4099) body[i] = i % 251;
  for (const [algorithm, expected, field] of [
    ['CRC32', crc32(body), 'ChecksumCRC32'],
    ['SHA256', sha256(body), 'ChecksumSHA256'],
  ]) {
    const key = `streamed-${algorithm}.bin`;
    sentHeaders = [];
    const put = await s3.send(new PutObjectCommand({
      Bucket: bucket, Key: key, Body: Readable.from([body.subarray(0, 1000000), body.subarray(1000000)]),
      ContentLength: body.length, ChecksumAlgorithm: algorithm,
    }));
    assert.equal(put[field], expected, algorithm);
    // Really sent as aws-chunked with the checksum in the trailer.
    const sent = sentHeaders.at(-1);
    assert.equal(sent['x-amz-content-sha256'], 'STREAMING-UNSIGNED-PAYLOAD-TRAILER');
    assert.equal(sent['x-amz-trailer'], `x-amz-checksum-${algorithm.toLowerCase()}`);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }));
    assert.equal(head.ContentLength, body.length);
    assert.equal(head[field], expected);
    const attrs = await s3.send(new GetObjectAttributesCommand({
      Bucket: bucket, Key: key, ObjectAttributes: ['Checksum', 'ObjectSize'],
    }));
    assert.equal(attrs.ObjectSize, body.length);
    assert.equal(attrs.Checksum[field], expected);
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }));
    assert.deepEqual(Buffer.from(await got.Body.transformToByteArray()), body);
  }
});

test('a large streamed PUT (spilled to disk as it arrives) keeps its CRC32 trailer', async () => {
  const body = randomBytes(24 * 1024 * 1024 + 5);
  sentHeaders = [];
  const parts = [];
  for (let i = 0; i < body.length; i += 1 << 20) parts.push(body.subarray(i, i + (1 << 20)));
  const put = await s3.send(new PutObjectCommand({
    Bucket: bucket, Key: 'large-streamed.bin', Body: Readable.from(parts),
    ContentLength: body.length, ChecksumAlgorithm: 'CRC32',
  }));
  assert.equal(put.ChecksumCRC32, crc32(body));
  assert.equal(put.ETag, `"${createHash('md5').update(body).digest('hex')}"`);
  assert.equal(sentHeaders.at(-1)['x-amz-trailer'], 'x-amz-checksum-crc32');
  const got = await s3.send(new GetObjectCommand({
    Bucket: bucket, Key: 'large-streamed.bin', ChecksumMode: 'ENABLED',
  }));
  assert.equal(got.ChecksumCRC32, crc32(body));
  assert.ok(Buffer.from(await got.Body.transformToByteArray()).equals(body));
  assert.deepEqual(readdirSync(join(server.dataDir, 'objects', 'spill')), []);
});

test('a checksum that does not match the body is refused and stores nothing', async () => {
  const body = Buffer.from('the real body');
  await assert.rejects(
    s3.send(new PutObjectCommand({
      Bucket: bucket, Key: 'bad.txt', Body: body, ChecksumCRC32: crc32(Buffer.from('another body')),
    })),
    (e) => e.name === 'BadDigest' && e.$metadata.httpStatusCode === 400,
  );
  await assert.rejects(
    s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'bad.txt' })),
    (e) => e.$metadata.httpStatusCode === 404,
  );
});
