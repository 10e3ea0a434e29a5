import { writeHeapSnapshot } from 'node:v8';
import { runSimulation } from './src/index.js';
const gc = (globalThis as any).gc;
setTimeout(() => { gc(); console.log('snap1', writeHeapSnapshot('/tmp/h1.heapsnapshot')); }, 40_000);
setTimeout(() => { gc(); console.log('snap2', writeHeapSnapshot('/tmp/h2.heapsnapshot')); }, 140_000);
const r = await runSimulation({ users: 50, runTime: '150s', reportDir: false, seed: 1 });
console.log('done', r.exitCode);
process.exit(0);
