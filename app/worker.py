"""rq worker entry point: `python -m app.worker [quick,heavy]` (make worker). Builds the app in its
own process and serves the job queues (both by default, quick first).

The job a worker runs is leased for LEASE_SECONDS at a time and the lease renewed every
MONITOR_SECONDS while it runs; a worker killed mid-job (kill -9, lost machine) stops renewing, and
the next maintenance pass of any worker (every MAINTENANCE_SECONDS, and at start-up) hands the job
to rq's retry, whose first attempt is immediate: it runs again within a minute instead of rq's
default eleven. While Redis cannot be reached the worker waits for it, whether at start-up or later.
"""

from __future__ import annotations

import logging
import os
import sys
import time

from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from rq import Queue, Worker

from app import create_app

MONITOR_SECONDS = 10
LEASE_SECONDS = 25
MAINTENANCE_SECONDS = 15
RECONNECT_SECONDS = 2
log = logging.getLogger("app.worker")


class LeasedWorker(Worker):
    """rq's forking worker with a short lease on the running job (see the module docstring)."""

    def get_heartbeat_ttl(self, job) -> int:  # noqa: ANN001
        if job.timeout and job.timeout > 0:
            remaining = job.timeout - self.current_job_working_time
            return int(max(min(remaining, MONITOR_SECONDS), 1)) + LEASE_SECONDS - MONITOR_SECONDS
        return LEASE_SECONDS


def main(argv: list[str] | None = None) -> None:
    from app.extensions import db
    from app.jobs import QUEUES, queue_name

    app = create_app()
    if not app.config.get("REDIS_URL"):
        raise SystemExit("REDIS_URL is not set: the embedded default runs jobs in-process, no worker needed")
    args = argv if argv is not None else sys.argv[1:]
    kinds = args[0].split(",") if args else list(QUEUES)
    unknown = [k for k in kinds if k not in QUEUES]
    if unknown:
        raise SystemExit(f"unknown queue(s) {', '.join(unknown)}; choose from {', '.join(QUEUES)}")
    connection = Redis.from_url(app.config["REDIS_URL"])
    logging.getLogger("rq.worker").setLevel(logging.INFO)
    with app.app_context():
        queues = [Queue(queue_name(kind), connection=connection) for kind in kinds]
        engines = list(db.engines.values())
        # Each job runs in a forked child: it must open its own database connections.
        os.register_at_fork(after_in_child=lambda: [engine.dispose(close=False) for engine in engines])
        while True:
            try:
                LeasedWorker(
                    queues,
                    connection=connection,
                    job_monitoring_interval=MONITOR_SECONDS,
                    maintenance_interval=MAINTENANCE_SECONDS,
                    worker_ttl=MAINTENANCE_SECONDS + 15,  # an idle worker wakes every MAINTENANCE_SECONDS
                ).work(with_scheduler=True)
                return
            except RedisConnectionError as exc:
                log.warning(
                    "Redis cannot be reached (%s); the worker tries again in %s s", exc, RECONNECT_SECONDS
                )
                time.sleep(RECONNECT_SECONDS)


if __name__ == "__main__":
    main()
