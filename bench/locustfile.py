"""
The benchmark's load (bench/run.py starts it): each simulated reader requests the benchmark's URLs
in turn, from a random starting point, without pausing. Any status but 200 counts as a failure.
The URLs come from CITELINE_BENCH_PATHS, a JSON list of [name, path].
"""

import itertools
import json
import os
import random

from locust import HttpUser, constant, task

PATHS = json.loads(os.environ.get("CITELINE_BENCH_PATHS", '[["healthz", "/healthz"]]'))


class Reader(HttpUser):
    wait_time = constant(0)

    def on_start(self):
        start = random.randrange(len(PATHS))
        self.paths = itertools.cycle(PATHS[start:] + PATHS[:start])

    @task
    def read(self):
        name, path = next(self.paths)
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
