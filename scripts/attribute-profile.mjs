// Where a server's CPU went, by part of the product, from a V8 CPU profile: tracing (the
// OpenTelemetry packages and Unfold's span code), metrics (prom-client and Unfold's
// metrics), and everything else. Each sample goes to the innermost frame that belongs to a
// known part, so native helpers (hex encoding, say) count for whoever called them, and a
// request that a tracing hook hands on to Fastify counts for Fastify, not for tracing.
// Make a profile with the benchmark (the servers write one each as they stop):
//   BENCH_CPU_PROF=1 node packages/bench/dist/main.js --only telemetry   (into /tmp/prof)
//   node scripts/attribute-profile.mjs /tmp/prof/CPU.….cpuprofile [--runs N]
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { runs: { type: 'string' } } });
if (positionals.length === 0) {
  process.stderr.write('usage: node scripts/attribute-profile.mjs <file.cpuprofile>… [--runs N]\n');
  process.exit(2);
}

/** The part a frame's script belongs to, or undefined for Node internals and natives. */
function partOf(url) {
  if (/@opentelemetry\/|\/telemetry\/(http-tracing|tracing)\.js$|\/run-tracing\.js$/.test(url)) return 'tracing';
  if (/\/prom-client\/|\/telemetry\/(metrics|series-metrics)\.js$/.test(url)) return 'metrics';
  if (url.includes('/node_modules/') || url.includes('/packages/')) return 'other';
  return undefined;
}

for (const file of positionals) {
  const profile = JSON.parse(await readFile(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const owners = new Map();
  const ownerOf = (id) => {
    if (owners.has(id)) return owners.get(id);
    const own = partOf(nodes.get(id).callFrame.url);
    const owner = own ?? (parents.has(id) ? ownerOf(parents.get(id)) : 'other');
    owners.set(id, owner);
    return owner;
  };
  const totals = new Map();
  profile.samples.forEach((id, index) => {
    const name = nodes.get(id).callFrame.functionName;
    // Idle time is not CPU; GC and the rest of V8's own work stay under "other".
    if (name === '(idle)') return;
    const part = ownerOf(id);
    totals.set(part, (totals.get(part) ?? 0) + (profile.timeDeltas[index] ?? 0));
  });
  const all = [...totals.values()].reduce((sum, value) => sum + value, 0);
  const runs = values.runs ? Number(values.runs) : undefined;
  process.stdout.write(`${file}\n`);
  for (const [part, us] of [...totals].sort((a, b) => b[1] - a[1])) {
    const perRun = runs ? `  ${(us / runs).toFixed(1)} µs a run` : '';
    process.stdout.write(`  ${part.padEnd(8)} ${((us / all) * 100).toFixed(1).padStart(5)} %${perRun}\n`);
  }
}
