#!/usr/bin/env node
// Runs every benchmarks/<name>/bench.mjs (or bench.ts, through tsx), each in its own process, and prints one table.
//
// Protocol: a benchmark writes progress to stderr and, as the last line of stdout, one JSON object
// `{ "rows": [{ "measurement": string, "value": number, "unit": string }], "notes"?: string[] }`.
// Usage: npm run bench [-- <name>…]   (names filter the folders, e.g. `npm run bench -- gateway`)
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

const root = import.meta.dirname;
const only = process.argv.slice(2);

function discover() {
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && (only.length === 0 || only.includes(entry.name)))
    .map((entry) => {
      const js = path.join(root, entry.name, 'bench.mjs');
      const ts = path.join(root, entry.name, 'bench.ts');
      if (existsSync(js)) return { name: entry.name, argv: [js] };
      if (existsSync(ts)) return { name: entry.name, argv: ['--import', 'tsx', ts] };
      return undefined;
    })
    .filter((bench) => bench !== undefined)
    .sort((a, b) => a.name.localeCompare(b.name));
}

function runOne(bench) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, bench.argv, { cwd: path.dirname(root), stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    child.on('close', (code) => {
      const last = stdout.trim().split('\n').at(-1) ?? '';
      try {
        if (code !== 0) throw new Error(`exit code ${code}`);
        const report = JSON.parse(last);
        if (!Array.isArray(report.rows)) throw new Error('no rows in its report');
        resolve({ ok: true, rows: report.rows, notes: report.notes ?? [] });
      } catch (error) {
        resolve({ ok: false, error: `${bench.name}: ${error.message}` });
      }
    });
  });
}

function formatValue(value) {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  return value.toFixed(2);
}

function printTable(header, rows) {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i].length)));
  const line = (cells) => cells.map((cell, i) => (i === 2 ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join('  ');
  console.log(line(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const row of rows) console.log(line(row));
}

const benches = discover();
if (benches.length === 0) {
  console.error(only.length === 0 ? 'no benchmarks found' : `no benchmark named ${only.join(', ')}`);
  process.exit(1);
}
const table = [];
const notes = [];
const failures = [];
for (const bench of benches) {
  console.error(`▶ ${bench.name}`);
  const started = Date.now();
  const result = await runOne(bench);
  console.error(`  ${bench.name} took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (!result.ok) {
    failures.push(result.error);
    continue;
  }
  for (const row of result.rows) table.push([bench.name, row.measurement, formatValue(row.value), row.unit]);
  notes.push(...result.notes.map((note) => `${bench.name}: ${note}`));
}
console.log('');
printTable(['Benchmark', 'Measurement', 'Value', 'Unit'], table);
for (const note of notes) console.log(`note: ${note}`);
for (const failure of failures) console.error(`FAILED ${failure}`);
process.exit(failures.length === 0 ? 0 : 1);
