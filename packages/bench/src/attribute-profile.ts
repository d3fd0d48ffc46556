import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { percentOf, profileTime, type CpuProfile, type ProfilePart } from './profile-share.js';

// Splits CPU profiles by part of the server (see profile-share.ts):
//   node packages/bench/dist/attribute-profile.js /tmp/prof/small-tracing_full-0.cpuprofile… [--runs N]
// `BENCH_CPU_PROF=1 npm run bench -- --only telemetry` writes one per server into /tmp/prof.
const { values, positionals } = parseArgs({ allowPositionals: true, options: { runs: { type: 'string' } } });
if (positionals.length === 0) {
  process.stderr.write('usage: node packages/bench/dist/attribute-profile.js <file.cpuprofile>… [--runs N]\n');
  process.exit(2);
}
const runs = values.runs === undefined ? undefined : Number(values.runs);
for (const file of positionals) {
  const time = profileTime(JSON.parse(await readFile(file, 'utf8')) as CpuProfile);
  process.stdout.write(`${file}\n`);
  for (const [part, us] of Object.entries(time).sort((a, b) => b[1] - a[1])) {
    const perRun = runs ? `  ${(us / runs).toFixed(1)} µs a run` : '';
    process.stdout.write(`  ${part.padEnd(8)} ${percentOf(time, part as ProfilePart).toFixed(1).padStart(5)} %${perRun}\n`);
  }
}
