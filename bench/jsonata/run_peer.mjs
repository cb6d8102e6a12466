// Peer side of bench/jsonata/compare.sh: evaluates the workloads with the
// reference JavaScript JSONata (jsonata@2.0.6) and prints one JSON line per
// workload: {"name", "evals_per_sec" (wall clock), "cpu_evals_per_sec" (process
// CPU time, steadier on a busy machine), "result_length", "result_head"}.
//   node run_peer.mjs [MIN_TIME_SECONDS]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import jsonata from 'jsonata';

const here = path.dirname(fileURLToPath(import.meta.url));
const minTime = Number(process.argv[2] || 1);
const data = JSON.parse(fs.readFileSync(path.join(here, 'data.json'), 'utf8'));
const workloads = JSON.parse(fs.readFileSync(path.join(here, 'workloads.json'), 'utf8'));

for (const w of workloads) {
  const expr = jsonata(w.expr);
  // Warm up the JIT.
  const warmUntil = performance.now() + 300;
  let result;
  while (performance.now() < warmUntil) result = await expr.evaluate(data);
  let n = 0;
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  let elapsed = 0;
  while (elapsed < minTime * 1000) {
    for (let i = 0; i < 10; i++) result = await expr.evaluate(data);
    n += 10;
    elapsed = performance.now() - start;
  }
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const text = JSON.stringify(result);
  console.log(JSON.stringify({ name: w.name, evals_per_sec: n / (elapsed / 1000),
                               cpu_evals_per_sec: n / cpuSeconds,
                               result_length: text.length, result_head: text.slice(0, 60) }));
}
