/**
 * `npm run bench` — issue 8's benchmark: round trips and capacity per operation and per 30-trainee
 * class (with its on-demand cost), app overhead over raw DynamoDB, scale (450-trainee closing, 2,000
 * enrolments, a bureau's 1,000 cohorts), bundle size and cold first response. Starts its own
 * DynamoDB Local per section (or uses DYNAMODB_ENDPOINT), prints tables and writes bench/results.json.
 *
 *   npm run bench                          # everything (about 1.5 minutes on 2 cores)
 *   npm run bench -- --only=cold,size      # some sections; results.json keeps the others
 *
 * Sections, in this order: size, cold, capacity (alias roundtrips), overhead, scale.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { startDynamoDbLocal } from '../scripts/lib/dynamodb-local.js';
import { capacitySection } from './sections/capacity.js';
import { coldSection, removeBuiltBundles, sizeSection } from './sections/cold.js';
import { overheadSection } from './sections/overhead.js';
import { scaleSection } from './sections/scale.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

// Each section that needs DynamoDB gets a fresh DynamoDB Local (unless DYNAMODB_ENDPOINT names
// one): after the thousands of writes of the sections before it, DynamoDB Local answered every call
// more slowly. Run after overhead on the same instance, the scale section took 5–8 times as long as
// alone (closing 450 trainees 2.4 s instead of 0.3 s), and the cold runs took 20–30 ms longer.
const ALL = ['size', 'cold', 'capacity', 'overhead', 'scale'] as const;
type Section = (typeof ALL)[number];
const ALIASES: Record<string, Section> = { roundtrips: 'capacity', 'round-trips': 'capacity', cost: 'capacity', bundle: 'size' };

function parseOnly(argv: string[]): Section[] {
  const arg = argv.find((a) => a.startsWith('--only='));
  if (!arg) return [...ALL];
  const wanted = arg.slice('--only='.length).split(',').map((s) => s.trim()).filter(Boolean).map((s) => ALIASES[s] ?? s);
  const unknown = wanted.filter((s) => !(ALL as readonly string[]).includes(s));
  if (unknown.length) {
    console.error(`unknown section(s): ${unknown.join(', ')}; choose from ${ALL.join(', ')}`);
    process.exit(2);
  }
  return ALL.filter((s) => wanted.includes(s));
}

function machine() {
  const cpus = os.cpus();
  let commit: string | undefined;
  try {
    // `-dirty` when the tree had uncommitted changes: the figures are then not those of the commit.
    commit = execFileSync('git', ['describe', '--always', '--dirty'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    commit = undefined;
  }
  return {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${os.platform()} ${os.arch()} ${os.release()}`,
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    totalMemGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    loadAverage: os.loadavg().map((n) => Math.round(n * 100) / 100),
    ...(commit ? { commit } : {}),
  };
}

async function main() {
  const sections = parseOnly(process.argv.slice(2));
  const resultsFile = fileURLToPath(new URL('./results.json', import.meta.url));
  const previous = existsSync(resultsFile) ? (JSON.parse(readFileSync(resultsFile, 'utf8')) as Record<string, unknown>) : {};
  const started = performance.now();
  const results: Record<string, unknown> = {};
  /** What the sections print, kept for the README's copy of a full run. */
  const printed: string[] = [];
  const log = (s: string) => {
    printed.push(s);
    console.log(s);
  };
  const timed = async <T>(name: Section, fn: () => Promise<T>) => {
    const t = performance.now();
    log(`\n=== ${name} ===`);
    const value = await fn();
    const seconds = Math.round((performance.now() - t) / 100) / 10;
    log(`(${name}: ${seconds} s)`);
    results[name] = { date: new Date().toISOString(), seconds, ...(value as object) };
  };
  /** Runs a section against DYNAMODB_ENDPOINT, or against a DynamoDB Local of its own. */
  const withDb = async <T>(fn: (endpoint: string) => Promise<T>) => {
    if (process.env.DYNAMODB_ENDPOINT) return fn(process.env.DYNAMODB_ENDPOINT);
    const ddb = await startDynamoDbLocal();
    try {
      return await fn(ddb.endpoint);
    } finally {
      await ddb.stop();
    }
  };
  const where = process.env.DYNAMODB_ENDPOINT ? `DynamoDB at ${process.env.DYNAMODB_ENDPOINT}` : 'a fresh DynamoDB Local per section';
  console.log(`bench: ${sections.join(', ')} on ${where}; ${os.cpus().length} cores, load ${os.loadavg()[0]!.toFixed(2)}`);
  try {
    for (const section of sections) {
      if (section === 'size') await timed(section, () => sizeSection(log));
      if (section === 'cold') await timed(section, () => withDb((endpoint) => coldSection(endpoint, log)));
      if (section === 'capacity') await timed(section, () => withDb((endpoint) => capacitySection(endpoint, log)));
      if (section === 'overhead') await timed(section, () => withDb((endpoint) => overheadSection(endpoint, log)));
      if (section === 'scale') await timed(section, () => withDb((endpoint) => scaleSection(endpoint, log)));
    }
  } finally {
    removeBuiltBundles();
  }
  const { machine: _m, sections: previousSections, ...kept } = previous as { machine?: unknown; sections?: Record<string, unknown> };
  const out = {
    machine: machine(),
    note: 'Timings are from DynamoDB Local on this machine (not AWS); capacity follows DynamoDB rules from item sizes. Sections not run this time keep their previous results (each has its own date).',
    sections: Object.fromEntries(
      ALL.map((name) => [name, results[name] ?? (previousSections ?? (kept as Record<string, unknown>))[name]]).filter(([, v]) => v !== undefined),
    ),
  };
  writeFileSync(resultsFile, `${JSON.stringify(out, null, 2)}\n`);
  console.log(`\nwrote ${resultsFile} (${Math.round((performance.now() - started) / 1000)} s)`);
  if (sections.length === ALL.length) updateReadme(out.machine, where, printed);
}

const README_START = '<!-- bench:start -->';
const README_END = '<!-- bench:end -->';

/** After a full run, the README's "latest run" block becomes this run's tables with its machine. */
function updateReadme(m: ReturnType<typeof machine>, where: string, printed: string[]) {
  const readmeFile = fileURLToPath(new URL('../README.md', import.meta.url));
  const readme = readFileSync(readmeFile, 'utf8');
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < start) return;
  const block = [
    README_START,
    '<details><summary>The tables of the latest full <code>npm run bench</code></summary>',
    '',
    `${m.date.slice(0, 10)}, commit ${m.commit ?? 'unknown'}, ${where}: ${m.cores} cores ${m.cpu}, ${m.totalMemGb} GB, Node ${m.node}, ${m.platform}, load average ${m.loadAverage.join(' / ')}`,
    '',
    '```text',
    printed.join('\n').trim(),
    '```',
    '',
    '</details>',
    '',
  ].join('\n');
  writeFileSync(readmeFile, readme.slice(0, start) + block + readme.slice(end));
  console.log(`updated the latest run in ${readmeFile}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
