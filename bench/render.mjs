// Renders bench/RESULTS.md again from bench/results/latest.json and bench/HISTORY.md, measuring
// nothing: `node bench/render.mjs`, after HISTORY.md (or report.mjs) changed. The figures stay those
// of the run that wrote latest.json.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderReport } from './report.mjs';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const results = JSON.parse(fs.readFileSync(path.join(BENCH_DIR, 'results', 'latest.json'), 'utf8'));
const history = fs.readFileSync(path.join(BENCH_DIR, 'HISTORY.md'), 'utf8');
fs.writeFileSync(path.join(BENCH_DIR, 'RESULTS.md'), renderReport(results, history));
process.stderr.write(`bench/RESULTS.md rendered from the run of ${results.startedAt} (${results.command})\n`);
