// EventBridge Scheduler (restJson1) through @aws-sdk/client-scheduler.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateScheduleCommand, CreateScheduleGroupCommand, DeleteScheduleCommand, GetScheduleCommand,
  ListSchedulesCommand, ListTagsForResourceCommand, SchedulerClient, UntagResourceCommand,
} from '@aws-sdk/client-scheduler';
import { clientConfig, startServer } from './server.mjs';

const role = 'arn:aws:iam::000000000000:role/js-tests';
let server;
let scheduler;

before(async () => {
  server = await startServer('--clock', 'virtual');
  scheduler = new SchedulerClient(clientConfig(server.endpoint));
});
after(async () => server.stop());

test('schedules: create, get, list, delete', async () => {
  const target = { Arn: 'arn:aws:sqs:us-east-1:000000000000:q', RoleArn: role, Input: '{"a":1}' };
  const { ScheduleArn } = await scheduler.send(new CreateScheduleCommand({
    Name: 'js-s', ScheduleExpression: 'rate(1 hour)', FlexibleTimeWindow: { Mode: 'OFF' },
    StartDate: new Date('2031-01-01T00:00:00Z'), Target: target,
  }));
  assert.equal(ScheduleArn, 'arn:aws:scheduler:us-east-1:000000000000:schedule/default/js-s');
  const got = await scheduler.send(new GetScheduleCommand({ Name: 'js-s' }));
  assert.equal(got.ScheduleExpression, 'rate(1 hour)');
  assert.ok(got.CreationDate instanceof Date);
  assert.equal(got.StartDate.toISOString(), '2031-01-01T00:00:00.000Z');
  assert.deepEqual(got.Target, target);
  const { Schedules } = await scheduler.send(new ListSchedulesCommand({ NamePrefix: 'js-', MaxResults: 10 }));
  assert.deepEqual(Schedules.map((s) => s.Name), ['js-s']);
  await scheduler.send(new DeleteScheduleCommand({ Name: 'js-s' }));
  await assert.rejects(scheduler.send(new GetScheduleCommand({ Name: 'js-s' })), (e) => {
    assert.equal(e.name, 'ResourceNotFoundException');
    assert.equal(e.$metadata.httpStatusCode, 404);
    assert.equal(e.message, 'Schedule js-s does not exist.');
    return true;
  });
});

test('group tags with an ARN in the path and keys in the query string', async () => {
  const { ScheduleGroupArn } = await scheduler.send(new CreateScheduleGroupCommand({
    Name: 'js-g', Tags: [{ Key: 'a', Value: '1' }, { Key: 'b c', Value: '2' }],
  }));
  await scheduler.send(new UntagResourceCommand({ ResourceArn: ScheduleGroupArn, TagKeys: ['b c'] }));
  const { Tags } = await scheduler.send(new ListTagsForResourceCommand({ ResourceArn: ScheduleGroupArn }));
  assert.deepEqual(Tags, [{ Key: 'a', Value: '1' }]);
  await assert.rejects(scheduler.send(new CreateScheduleGroupCommand({ Name: 'js-g' })),
    (e) => e.name === 'ConflictException');
});
