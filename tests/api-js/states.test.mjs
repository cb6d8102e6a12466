// Step Functions through @aws-sdk/client-sfn (the JS SDK v3).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateStateMachineCommand, DescribeExecutionCommand, DescribeStateMachineCommand,
  GetExecutionHistoryCommand, ListExecutionsCommand, SFNClient, StartExecutionCommand,
  StartSyncExecutionCommand, StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { clientConfig, startServer } from './server.mjs';

const role = 'arn:aws:iam::000000000000:role/js-tests';
let server;
let sfn;

before(async () => {
  server = await startServer('--clock', 'virtual');
  sfn = new SFNClient(clientConfig(server.endpoint));
});
after(async () => server.stop());

const definition = (states, startAt = Object.keys(states)[0]) =>
  JSON.stringify({ StartAt: startAt, States: states });

test('create, run and inspect an execution', async () => {
  const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({
    name: 'js-hello', roleArn: role,
    definition: definition({ Hello: { Type: 'Pass', Parameters: { 'greeting.$': "States.Format('hi {}', $.who)" }, End: true } }),
  }));
  const described = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn }));
  assert.equal(described.name, 'js-hello');
  assert.ok(described.creationDate instanceof Date);
  const { executionArn } = await sfn.send(new StartExecutionCommand({
    stateMachineArn, name: 'run-1', input: JSON.stringify({ who: 'lake' }),
  }));
  const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
  assert.equal(execution.status, 'SUCCEEDED');
  assert.deepEqual(JSON.parse(execution.output), { greeting: 'hi lake' });
  const { events } = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
  assert.deepEqual(events.map((e) => e.type),
    ['ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded']);
  assert.ok(events[0].timestamp instanceof Date);
});

test('errors come back as the SDK error classes', async () => {
  await assert.rejects(
    sfn.send(new DescribeStateMachineCommand({
      stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:missing',
    })),
    (err) => err.name === 'StateMachineDoesNotExist' && err.$metadata.httpStatusCode === 400,
  );
  await assert.rejects(
    sfn.send(new CreateStateMachineCommand({
      name: 'js-bad', roleArn: role, definition: definition({ A: { Type: 'Pass', Next: 'B' } }),
    })),
    (err) => err.name === 'InvalidDefinition' && /MISSING_TRANSITION_TARGET/.test(err.message),
  );
});

test('stop a waiting execution; express runs synchronously', async () => {
  const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({
    name: 'js-wait', roleArn: role,
    definition: definition({ W: { Type: 'Wait', Seconds: 600, End: true } }),
  }));
  const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn }));
  await sfn.send(new StopExecutionCommand({ executionArn, error: 'Stop', cause: 'from js' }));
  const stopped = await sfn.send(new DescribeExecutionCommand({ executionArn }));
  assert.equal(stopped.status, 'ABORTED');
  const listed = await sfn.send(new ListExecutionsCommand({ stateMachineArn }));
  assert.equal(listed.executions.length, 1);

  const express = await sfn.send(new CreateStateMachineCommand({
    name: 'js-express', roleArn: role, type: 'EXPRESS',
    definition: definition({ P: { Type: 'Pass', Result: 42, End: true } }),
  }));
  const sync = await sfn.send(new StartSyncExecutionCommand({ stateMachineArn: express.stateMachineArn }));
  assert.equal(sync.status, 'SUCCEEDED');
  assert.equal(sync.output, '42');
});
