// Lambda (restJson1) through @aws-sdk/client-lambda: a real Python function
// created from a zip, its waiter, Invoke with a log tail, a function error and
// a missing function.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateFunctionCommand, DeleteFunctionCommand, GetFunctionCommand, InvokeCommand, LambdaClient,
  waitUntilFunctionActiveV2,
} from '@aws-sdk/client-lambda';
import { clientConfig, startServer } from './server.mjs';

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// A stored (uncompressed) zip archive of {name: text}, laid out by hand.
function zipOf(files) {
  const parts = [];
  const centrals = [];
  let offset = 0;
  for (const [name, text] of Object.entries(files)) {
    const nameBuf = Buffer.from(name);
    const data = Buffer.from(text);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBuf.length, 28);
    central.writeUInt32LE(offset, 42);
    parts.push(local, nameBuf, data);
    centrals.push(central, nameBuf);
    offset += 30 + nameBuf.length + data.length;
  }
  const dir = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, dir, end]);
}

const role = 'arn:aws:iam::000000000000:role/js-tests';
let server;
let lambda;

before(async () => {
  server = await startServer();
  lambda = new LambdaClient(clientConfig(server.endpoint));
});
after(async () => server.stop());

test('a Python function: create, wait, invoke, fail, delete', async () => {
  const code = "def handler(event, context):\n" +
    "    print('js says', event['msg'])\n" +
    "    if event.get('fail'):\n" +
    "        raise ValueError('asked to fail')\n" +
    "    return {'reply': event['msg'].upper(), 'fn': context.function_name}\n";
  const created = await lambda.send(new CreateFunctionCommand({
    FunctionName: 'js-fn', Runtime: 'python3.12', Role: role, Handler: 'app.handler',
    Code: { ZipFile: zipOf({ 'app.py': code }) },
  }));
  assert.equal(created.FunctionArn, 'arn:aws:lambda:us-east-1:000000000000:function:js-fn');
  await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 30 }, { FunctionName: 'js-fn' });

  const ok = await lambda.send(new InvokeCommand({
    FunctionName: 'js-fn', Payload: Buffer.from(JSON.stringify({ msg: 'hi' })), LogType: 'Tail',
  }));
  assert.equal(ok.StatusCode, 200);
  assert.equal(ok.FunctionError, undefined);
  assert.equal(ok.ExecutedVersion, '$LATEST');
  assert.deepEqual(JSON.parse(Buffer.from(ok.Payload).toString()), { reply: 'HI', fn: 'js-fn' });
  const log = Buffer.from(ok.LogResult, 'base64').toString();
  assert.match(log, /^START RequestId: [0-9a-f-]{36} Version: \$LATEST\n/);
  assert.match(log, /js says hi\n/);
  assert.match(log, /REPORT RequestId: .*\tDuration: [\d.]+ ms/);

  const failed = await lambda.send(new InvokeCommand({
    FunctionName: 'js-fn', Payload: Buffer.from(JSON.stringify({ msg: 'x', fail: true })),
  }));
  assert.equal(failed.FunctionError, 'Unhandled');
  const err = JSON.parse(Buffer.from(failed.Payload).toString());
  assert.equal(err.errorType, 'ValueError');
  assert.equal(err.errorMessage, 'asked to fail');

  await lambda.send(new DeleteFunctionCommand({ FunctionName: 'js-fn' }));
  await assert.rejects(lambda.send(new GetFunctionCommand({ FunctionName: 'js-fn' })), (e) => {
    assert.equal(e.name, 'ResourceNotFoundException');
    assert.equal(e.$metadata.httpStatusCode, 404);
    assert.equal(e.message,
      'Function not found: arn:aws:lambda:us-east-1:000000000000:function:js-fn');
    return true;
  });
});
