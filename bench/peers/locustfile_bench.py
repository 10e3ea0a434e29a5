"""Locust peers for mlop-sim's benchmarks (bench/generator-cost.ts, bench/timing-fidelity.ts).

The same request as mlop-sim's http scenario's metrics task and autocannon's run: one NDJSON metrics
line to /ingest/metrics with the seed's headers (docs/protocol/load-test-suite.md §6.4, locustfile_http.py).
BENCH_USER_CLASS picks FastHttpUser (Locust's fastest client) or HttpUser (what the seed runs);
BENCH_WAIT = "0" for no wait, or "min,max" seconds.
"""
import json
import os
import time

from locust import FastHttpUser, HttpUser, between, constant

HEADERS = {
    "Authorization": "Bearer " + os.environ.get("BENCH_KEY", "mlps_bench"),
    "X-Run-Id": "1",
    "X-Project-Name": "load-test-project",
    "Content-Type": "application/x-ndjson",
}
_wait = os.environ.get("BENCH_WAIT", "0")
WAIT = constant(0) if _wait == "0" else between(*[float(x) for x in _wait.split(",")])


def metrics_line(step):
    return json.dumps({"time": int(time.time() * 1000), "step": step, "data": {
        "train/loss": 0.5, "train/accuracy": 0.8, "val/loss": 0.6, "val/accuracy": 0.75,
        "learning_rate": 0.001}}) + "\n"


def post_metrics(user):
    user.step = getattr(user, "step", 0) + 1
    user.client.post("/ingest/metrics", data=metrics_line(user.step), headers=HEADERS)


if os.environ.get("BENCH_USER_CLASS", "fast") == "fast":
    class BenchUser(FastHttpUser):
        wait_time = WAIT
        tasks = [post_metrics]
else:
    class BenchUser(HttpUser):
        wait_time = WAIT
        tasks = [post_metrics]
