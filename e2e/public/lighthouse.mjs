#!/usr/bin/env node
// `npm run lighthouse`: Lighthouse scores of the public site's pages in Debian's Chromium (budget in
// content/docs/operations/performance.md: at least 95 on every public page). A measurement script,
// not a timed test: it prints the scores and exits 1 when a page is under the budget. By default it
// measures every public page that needs no session (all sent without React since 2026-12-06:
// pages/; the portal, the one part with React, needs a buyer's session).
//
//   node e2e/public/lighthouse.mjs                       # starts the public build itself
//   node e2e/public/lighthouse.mjs http://localhost:3001 / /pricing /docs
//
// Lighthouse's default is a mobile profile with simulated 4G and a 4x slower CPU, meant to turn a
// high-end desktop into a mid-tier phone; each run prints this host's BenchmarkIndex (Lighthouse's
// measure of the CPU: 1500-2000 for a high-end desktop) so a slow or busy host reads as such.
// RP_LIGHTHOUSE_CPU_SLOWDOWN=N sets another slowdown; =calibrate picks it from the median of three
// BenchmarkIndex samples as Lighthouse's throttling guide describes ("Calibrating the CPU
// slowdown": 1x at 150, 2x at 800, 3x at 1300, +1x per 233 above). The budget is held with the
// default; a calibrated figure is for reading a busy machine. RP_LIGHTHOUSE_FORM=desktop
// measures the desktop profile instead. Each page is measured RP_LIGHTHOUSE_RUNS times (default 3)
// and the median reported, as Lighthouse recommends. RP_LIGHTHOUSE_COOKIE is sent with every request
// (a signed-in session, for console pages: e2e/console/lighthouse.ts); RP_LIGHTHOUSE_BUDGET=all holds
// every category, not only performance, to the budget (or a list: performance,accessibility). RP_LIGHTHOUSE_DETAILS=1 also prints, per run,
// the scripts that took the most main-thread time and the main-thread work by category, and the
// LCP element with its phases; RP_LIGHTHOUSE_SAVE=dir keeps each run's full report (JSON) there.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';

const root = path.resolve(import.meta.dirname, '..', '..');
// The score every held category must reach (issue 21).
const BUDGET = 95;
// The categories held to the budget (the others are printed): checked before anything is measured.
const CATEGORIES = ['performance', 'accessibility', 'bestPractices', 'seo'];
const budgetSetting = process.env.RP_LIGHTHOUSE_BUDGET ?? 'performance';
const held = budgetSetting === 'all' ? CATEGORIES : budgetSetting.split(',').map((category) => category.trim());
const unknownCategory = held.find((category) => !CATEGORIES.includes(category));
if (unknownCategory) throw new Error(`RP_LIGHTHOUSE_BUDGET names "${unknownCategory}": use all, or a list of ${CATEGORIES.join(', ')}`);
const [baseArg, ...pathArgs] = process.argv.slice(2);
const paths = pathArgs.length ? pathArgs : ['/', '/pricing', '/docs', '/docs/install', '/changelog', '/download', '/security', '/trust', '/login', '/status', '/docs/api', '/docs/api/services-and-environments'];
const runs = Number(process.env.RP_LIGHTHOUSE_RUNS ?? 3);
const formFactor = process.env.RP_LIGHTHOUSE_FORM === 'desktop' ? 'desktop' : 'mobile';

let server = null;
let base = baseArg;
if (!base) {
  const port = 3409;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-lighthouse-'));
  server = spawn(process.execPath, [path.join(root, 'scripts', 'start.mjs'), 'public'], {
    env: { ...process.env, PORT: String(port), RP_DATA_DIR: dataDir, AUTH_SECRET: 'lighthouse-only-session-secret-0123456789' },
    stdio: 'ignore',
  });
  base = `http://localhost:${port}`;
  await waitForReady(`${base}/api/ready`);
}

const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});
const results = [];
try {
  const slowdown = formFactor === 'desktop' ? 1 : await mobileCpuSlowdown(new URL(paths[0], base).href);
  for (const pagePath of paths) {
    const url = new URL(pagePath, base).href;
    await fetch(url); // warm the server's caches, as a visitor after the first would find them
    const samples = [];
    for (let run = 0, failed = 0; run < runs; run++) {
      const result = await lighthouse(url, {
        port: chrome.port,
        output: 'json',
        logLevel: 'error',
        onlyCategories: ['performance', 'accessibility', 'best-practices', 'seo'],
        formFactor,
        ...cookieHeader(),
        screenEmulation: formFactor === 'desktop' ? { mobile: false, width: 1350, height: 940, deviceScaleFactor: 1, disabled: false } : undefined,
        throttling: formFactor === 'desktop' ? { rttMs: 40, throughputKbps: 10240, cpuSlowdownMultiplier: 1 } : { cpuSlowdownMultiplier: slowdown } /* merged into Lighthouse's mobile network profile */,
      });
      const lhr = result.lhr;
      // A run Lighthouse itself could not complete (no score, e.g. NO_FCP while Chromium warms up)
      // says nothing about the page: say so and run again rather than count it as a 0.
      if (lhr.runtimeError || lhr.categories.performance.score === null) {
        console.error(`${pagePath}: a Lighthouse run did not complete (${lhr.runtimeError?.code ?? 'no performance score'}); running it again`);
        if (++failed > runs) throw new Error(`Lighthouse could not complete ${failed} runs of ${pagePath}`);
        run--;
        continue;
      }
      if (process.env.RP_LIGHTHOUSE_DETAILS) printDetails(pagePath, lhr);
      if (process.env.RP_LIGHTHOUSE_SAVE) saveReport(pagePath, run, lhr);
      samples.push({
        performance: Math.round(lhr.categories.performance.score * 100),
        accessibility: Math.round(lhr.categories.accessibility.score * 100),
        bestPractices: Math.round(lhr.categories['best-practices'].score * 100),
        seo: Math.round(lhr.categories.seo.score * 100),
        fcp: lhr.audits['first-contentful-paint'].displayValue,
        lcp: lhr.audits['largest-contentful-paint'].displayValue,
        tbt: lhr.audits['total-blocking-time'].displayValue,
        cls: lhr.audits['cumulative-layout-shift'].displayValue,
        benchmarkIndex: Math.round(lhr.environment.benchmarkIndex),
        cpuSlowdown: Number(slowdown.toFixed(2)),
      });
    }
    samples.sort((a, b) => a.performance - b.performance);
    results.push({ path: pagePath, ...samples[Math.floor(samples.length / 2)], runs: samples.map((sample) => sample.performance).join('/') });
  }
} finally {
  await chrome.kill();
  server?.kill('SIGTERM');
}

console.log(`Lighthouse ${formFactor}, median of ${runs} runs, ${base}`);
console.table(results);
const failing = results.flatMap((result) => held.filter((category) => result[category] < BUDGET).map((category) => `${result.path} ${category} ${result[category]}`));
if (failing.length) {
  console.error(`under the budget of ${BUDGET}: ${failing.join(', ')}`);
  process.exit(1);
}

/** Lighthouse's default (4x) unless RP_LIGHTHOUSE_CPU_SLOWDOWN names one or asks to calibrate. */
async function mobileCpuSlowdown(url) {
  const chosen = process.env.RP_LIGHTHOUSE_CPU_SLOWDOWN;
  if (!chosen) return 4;
  if (chosen !== 'calibrate') return Number(chosen);
  // One BenchmarkIndex sample drifts by a factor of two on a busy machine: the median of three.
  const samples = [];
  for (let sample = 0; sample < 3; sample++) {
    const { lhr } = await lighthouse(url, { port: chrome.port, output: 'json', logLevel: 'error', onlyCategories: ['performance'], formFactor, ...cookieHeader() });
    samples.push(lhr.environment.benchmarkIndex);
  }
  const index = samples.sort((a, b) => a - b)[1];
  const slowdown = index >= 1300 ? 3 + (index - 1300) / 233 : index >= 800 ? 2 + (index - 800) / 500 : Math.max(1, 1 + (index - 150) / 650);
  console.log(`host BenchmarkIndex ${samples.map(Math.round).join(', ')} (median ${Math.round(index)}): CPU slowdown ${slowdown.toFixed(2)}x for a mid-tier phone`);
  return slowdown;
}

function cookieHeader() {
  return process.env.RP_LIGHTHOUSE_COOKIE ? { extraHeaders: { Cookie: process.env.RP_LIGHTHOUSE_COOKIE } } : {};
}

function printDetails(pagePath, lhr) {
  const scripts = (lhr.audits['bootup-time'].details?.items ?? []).slice(0, 8);
  const work = lhr.audits['mainthread-work-breakdown'].details?.items ?? [];
  console.log(`${pagePath}: TBT ${lhr.audits['total-blocking-time'].displayValue}, DOM ${lhr.audits['dom-size']?.displayValue ?? '?'}`);
  console.table(scripts.map((item) => ({ script: String(item.url).slice(-60), total: Math.round(item.total), scripting: Math.round(item.scripting), parse: Math.round(item.scriptParseCompile) })));
  console.table(work.map((item) => ({ group: item.groupLabel ?? item.group, ms: Math.round(item.duration) })));
  const lcpElement = lhr.audits['largest-contentful-paint-element']?.details?.items?.[0]?.items?.[0]?.node;
  if (lcpElement) console.log(`LCP element: ${lcpElement.snippet} (${lcpElement.selector})`);
  const phases = lhr.audits['largest-contentful-paint-element']?.details?.items?.[1]?.items ?? [];
  if (phases.length) console.log(`LCP phases: ${phases.map((phase) => `${phase.phase} ${Math.round(phase.timing)} ms`).join(', ')}`);
  const longTasks = lhr.audits['long-tasks'].details?.items ?? [];
  console.table(longTasks.map((task) => ({ script: String(task.url).slice(-60), startTime: Math.round(task.startTime), duration: Math.round(task.duration) })));
}

function saveReport(pagePath, run, lhr) {
  const dir = path.resolve(process.env.RP_LIGHTHOUSE_SAVE);
  fs.mkdirSync(dir, { recursive: true });
  const name = `${pagePath.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '') || 'home'}.${run + 1}.json`;
  fs.writeFileSync(path.join(dir, name), JSON.stringify(lhr));
}

async function waitForReady(url) {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`${url} did not become ready`);
}
