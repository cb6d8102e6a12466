// Runs the Sluice benchmark workloads (bench/workloads/) on the npm package
// aws-local-stepfunctions and prints one JSON document with the results.
//
//   node bench/peer/run_peer.mjs [--min-time SECONDS] [--warmup SECONDS]
//                                [--latency-runs N] [--only NAME[,NAME...]]
//
// Like the Sluice side, each workload's StateMachine is constructed once (the
// library validates the definition there), one checked execution runs, then
// whole executions are timed back to back: `await machine.run(input).result`,
// after --warmup seconds of untimed executions (so V8 has compiled the hot
// paths). Throughput workloads run for at least --min-time seconds (and at
// least 3 executions); the latency workload runs exactly --latency-runs.
// Transitions per execution come from the manifest (the number of state
// entries); the check run also counts the library's StateEntered events and
// reports that count next to the manifest's.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

// aws-local-stepfunctions 3.x calls Promise.withResolvers (Node 22+); Node 20
// lacks it, so define it before the package loads.
if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function withResolvers() {
    let resolve;
    let reject;
    const promise = new this((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

const { StateMachine } = await import('aws-local-stepfunctions');

const here = path.dirname(fileURLToPath(import.meta.url));
const workloadsDir = process.env.SLUICE_BENCH_WORKLOADS || path.join(here, '..', 'workloads');

function parseArgs(argv) {
  const args = { minTime: 2, warmup: 0.5, latencyRuns: 100000, only: null };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--min-time') args.minTime = Number(argv[++i]);
    else if (argv[i] === '--warmup') args.warmup = Number(argv[++i]);
    else if (argv[i] === '--latency-runs') args.latencyRuns = Number(argv[++i]);
    else if (argv[i] === '--only') args.only = argv[++i].split(',');
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  return args;
}

const args = parseArgs(process.argv.slice(2));
const manifest = JSON.parse(fs.readFileSync(path.join(workloadsDir, 'manifest.json'), 'utf8'));
const pkg = JSON.parse(
  fs.readFileSync(path.join(here, 'node_modules', 'aws-local-stepfunctions', 'package.json'), 'utf8'),
);

async function checkRun(machine, input) {
  const execution = machine.run(input);
  let entered = 0;
  const counting = (async () => {
    for await (const event of execution.eventLogs) {
      if (event.type === 'StateEntered') entered++;
    }
  })();
  const output = await execution.result;
  await counting;
  return { output, entered };
}

function quantile(sorted, q) {
  const i = Math.round(q * (sorted.length - 1));
  return sorted[Math.min(i, sorted.length - 1)];
}

async function runWorkload(w) {
  const definition = JSON.parse(fs.readFileSync(path.join(workloadsDir, w.definition), 'utf8'));
  const input = JSON.parse(fs.readFileSync(path.join(workloadsDir, w.input), 'utf8'));
  const result = { name: w.name, transitionsPerExecution: w.transitionsPerExecution };
  let machine;
  try {
    machine = new StateMachine(definition);
    const check = await checkRun(machine, input);
    result.checkStateEntered = check.entered;
  } catch (err) {
    result.error = `${err.name}: ${err.message}`;
    return result;
  }

  const warmupEnd = performance.now() + args.warmup * 1000;
  while (performance.now() < warmupEnd) await machine.run(input).result;

  const samples = [];
  const latency = w.measure === 'latency';
  const minMs = args.minTime * 1000;
  const begin = performance.now();
  let now = begin;
  const more = () =>
    latency ? samples.length < args.latencyRuns : samples.length < 3 || now - begin < minMs;
  while (more()) {
    const t0 = performance.now();
    await machine.run(input).result;
    now = performance.now();
    samples.push(now - t0);
  }
  const elapsedS = (now - begin) / 1000;
  const executions = samples.length;
  samples.sort((a, b) => a - b);
  Object.assign(result, {
    executions,
    elapsedSeconds: elapsedS,
    executionsPerSecond: executions / elapsedS,
    transitionsPerSecond: (executions * w.transitionsPerExecution) / elapsedS,
    meanUs: (elapsedS * 1e6) / executions,
    p50Us: quantile(samples, 0.5) * 1000,
    p99Us: quantile(samples, 0.99) * 1000,
  });
  return result;
}

const results = [];
for (const w of manifest.workloads) {
  if (args.only && !args.only.includes(w.name)) continue;
  results.push(await runWorkload(w));
}

console.log(
  JSON.stringify(
    {
      peer: 'aws-local-stepfunctions',
      version: pkg.version,
      node: process.version,
      minTimeSeconds: args.minTime,
      warmupSeconds: args.warmup,
      latencyRuns: args.latencyRuns,
      results,
    },
    null,
    2,
  ),
);
