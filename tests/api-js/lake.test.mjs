// The lake through the JS SDK v3: Athena (DDL, a Trino query with translated
// functions, paged results, a failure as Athena reports it) and a Glue visual
// job run over the data it wrote, as a Node.js pipeline would drive them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import {
  CreateJobCommand, GetJobRunCommand, GetTableCommand, GlueClient, StartJobRunCommand,
} from '@aws-sdk/client-glue';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { clientConfig, startServer } from './server.mjs';

let server;
let athena;
let glue;
let s3;

// The server is quiet: every query, run and write set off has finished.
const idle = async () => {
  const r = await fetch(`${server.endpoint}/_sluice/idle`);
  assert.equal((await r.json()).idle, true);
};

async function run(sql) {
  const { QueryExecutionId } = await athena.send(new StartQueryExecutionCommand({
    QueryString: sql, QueryExecutionContext: { Database: 'jsdb' },
    ResultConfiguration: { OutputLocation: 's3://js-results/' },
  }));
  await idle();
  const { QueryExecution } = await athena.send(new GetQueryExecutionCommand({ QueryExecutionId }));
  return QueryExecution;
}

before(async () => {
  server = await startServer();
  const config = clientConfig(server.endpoint);
  athena = new AthenaClient(config);
  glue = new GlueClient(config);
  s3 = new S3Client({ ...config, forcePathStyle: true });
  for (const Bucket of ['js-results', 'js-lake']) {
    await s3.send(new CreateBucketCommand({ Bucket }));
  }
});

after(async () => server?.stop());

test('Athena: CTAS, a translated query, pages of results and a failure', async () => {
  assert.equal((await run('CREATE DATABASE jsdb')).Status.State, 'SUCCEEDED');
  const ctas = await run(
    "CREATE TABLE nums WITH (format = 'PARQUET', external_location = 's3://js-lake/nums/') AS " +
    "SELECT n, CASE WHEN n % 2 = 0 THEN 'even' ELSE 'odd' END AS kind " +
    'FROM UNNEST(sequence(1, 1500)) AS t(n)');
  assert.equal(ctas.Status.State, 'SUCCEEDED', JSON.stringify(ctas.Status));
  const q = await run(
    "SELECT kind, count(*) AS c, concat(kind, NULL) AS gone, date_format(date_add('day', 1, " +
    "DATE '2024-01-31'), '%Y/%m/%d') AS d, 7 / 2 AS half FROM nums GROUP BY kind ORDER BY kind");
  assert.equal(q.Status.State, 'SUCCEEDED', JSON.stringify(q.Status));
  const { ResultSet } = await athena.send(
    new GetQueryResultsCommand({ QueryExecutionId: q.QueryExecutionId }));
  const rows = ResultSet.Rows.map((r) => r.Data.map((d) => d.VarCharValue ?? null));
  assert.deepEqual(rows, [
    ['kind', 'c', 'gone', 'd', 'half'],
    ['even', '750', null, '2024/02/01', '3'],
    ['odd', '750', null, '2024/02/01', '3'],
  ]);
  // 1,500 rows: two pages of at most 1,000, the header on the first.
  const all = await run('SELECT n FROM nums ORDER BY n');
  let token;
  let seen = 0;
  do {
    const page = await athena.send(new GetQueryResultsCommand({
      QueryExecutionId: all.QueryExecutionId, NextToken: token, MaxResults: 1000,
    }));
    seen += page.ResultSet.Rows.length;
    token = page.NextToken;
  } while (token);
  assert.equal(seen, 1501);
  const bad = await run('SELECT 1 / 0');
  assert.equal(bad.Status.State, 'FAILED');
  assert.equal(bad.Status.AthenaError.ErrorMessage, 'DIVISION_BY_ZERO: Division by zero');
});

test('Glue: a visual job over the table Athena wrote', async () => {
  await glue.send(new CreateJobCommand({
    Name: 'js-odd', Role: 'arn:aws:iam::000000000000:role/glue', Command: { Name: 'glueetl' },
    CodeGenConfigurationNodes: {
      src: { S3CatalogSource: { Name: 'nums', Database: 'jsdb', Table: 'nums' } },
      odd: {
        Filter: {
          Name: 'odd', Inputs: ['src'], LogicalOperator: 'AND',
          Filters: [{
            Operation: 'EQ',
            Values: [{ Type: 'COLUMNEXTRACTED', Value: ['kind'] }, { Type: 'CONSTANT', Value: ['odd'] }],
          }],
        },
      },
      out: {
        S3GlueParquetTarget: {
          Name: 'out', Inputs: ['odd'], Path: 's3://js-lake/odd/',
          SchemaChangePolicy: { EnableUpdateCatalog: true, Database: 'jsdb', Table: 'odd' },
        },
      },
    },
  }));
  const { JobRunId } = await glue.send(new StartJobRunCommand({ JobName: 'js-odd' }));
  await idle();
  const { JobRun } = await glue.send(new GetJobRunCommand({ JobName: 'js-odd', RunId: JobRunId }));
  assert.equal(JobRun.JobRunState, 'SUCCEEDED', JobRun.ErrorMessage);
  assert.ok(JobRun.CompletedOn instanceof Date);
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'js-lake', Prefix: 'odd/' }));
  assert.equal(listed.KeyCount, 1);
  const { Table } = await glue.send(new GetTableCommand({ DatabaseName: 'jsdb', Name: 'odd' }));
  assert.deepEqual(Table.StorageDescriptor.Columns.map((c) => [c.Name, c.Type]),
    [['n', 'bigint'], ['kind', 'string']]);
  const q = await run('SELECT count(*) AS c, min(n) AS lo FROM odd');
  const { ResultSet } = await athena.send(
    new GetQueryResultsCommand({ QueryExecutionId: q.QueryExecutionId }));
  assert.deepEqual(ResultSet.Rows[1].Data.map((d) => d.VarCharValue), ['750', '1']);
});
