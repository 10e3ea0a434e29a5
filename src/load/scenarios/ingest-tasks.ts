/**
 * The one-line logs and data tasks the seed's raw-HTTP users share (server-protocol.md §6:
 * locustfile_http.py and locustfile_stress.py both post them with weights 3 and 2).
 */
import type { TaskDefinition } from '../scenario.js';
import { dataLine, logLine, nextStep } from './payloads.js';

export const logConsoleTask: TaskDefinition = {
  name: 'log_console',
  weight: 3,
  run: async (ctx) => {
    await ctx.http.post('/ingest/logs', logLine(ctx.random, nextStep(ctx.state), Date.now()));
  },
};

export const logDataTask: TaskDefinition = {
  name: 'log_data',
  weight: 2,
  run: async (ctx) => {
    await ctx.http.post('/ingest/data', dataLine(ctx.random, nextStep(ctx.state), Date.now()));
  },
};
