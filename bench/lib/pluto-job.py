"""A small training job for the real pluto SDK (bench/real-sdk-record.ts runs it).

Settings come from the environment (PLUTO_URL_*, PLUTO_API_KEY, PLUTO_DIR), as docs/workloads.md
"Pointing the SDK at the recorder" says. argv: STEPS SLEEP_S PROJECT RUN_NAME OUT_JSON.
It writes OUT_JSON: every value it handed to pluto.log ([key, step, value]) and every line it
printed, so the bench can check each one was stored exactly once.
"""
import json
import math
import random
import sys
import time

import pluto

steps = int(sys.argv[1])
sleep_s = float(sys.argv[2])
project, name, out = sys.argv[3], sys.argv[4], sys.argv[5]

rng = random.Random(7)
run = pluto.init(project=project, name=name, config={'lr': 3e-4, 'batch_size': 32, 'optimizer': 'adamw'})
values = []
printed = []


def say(line):
    print(line, flush=True)
    printed.append(line)


for step in range(steps):
    row = {
        'train/loss': 2.5 * math.exp(-step / 150) + rng.random() * 0.05,
        'train/acc': 1 - math.exp(-step / 120),
        'train/lr': 3e-4 * min(1.0, (step + 1) / 50),
        'train/grad_norm': 1.0 + rng.random(),
        'perf/tokens_per_s': 12000 + rng.random() * 500,
    }
    if step % 10 == 9:
        row['eval/loss'] = row['train/loss'] * 1.1
        row['eval/acc'] = row['train/acc'] * 0.97
    pluto.log(row, step=step)
    values.extend([k, step, v] for k, v in row.items())
    if step % 20 == 0:
        say(f'step {step}: loss {row["train/loss"]:.4f} lr {row["train/lr"]:.2e}')
    time.sleep(sleep_s)
say('training done')
pluto.finish()
with open(out, 'w') as f:
    json.dump({'values': values, 'printed': printed}, f)
