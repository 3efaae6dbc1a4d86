"""rq cron scheduler entry point: `python -m app.scheduler` (make scheduler).

Pushes every periodic job declared by the domains (`app.jobs.schedule.periodic`) to its queue when
it is due. The schedule lives in this process, not in Redis: when Redis restarts or is flushed, the
next due time pushes the job again, and while Redis is down the scheduler keeps trying instead of
stopping. Interval jobs run once at start-up.
"""

from __future__ import annotations

import logging
import time

from redis import Redis
from redis.exceptions import RedisError
from rq.cron import CronScheduler
from rq.exceptions import StopRequested
from rq.utils import now

from app import create_app

log = logging.getLogger("app.scheduler")
RETRY_SECONDS = 2.0


class ResilientCronScheduler(CronScheduler):
    """rq's CronScheduler, surviving Redis outages: a job that cannot be pushed stays due and is
    pushed at the next turn; bookkeeping (heartbeat, registry) that fails is retried."""

    def enqueue_jobs(self) -> list:
        pushed = []
        for cron_job in self._cron_jobs:
            if not cron_job.should_run():
                continue
            try:
                cron_job.enqueue(self.connection)
            except RedisError as exc:
                log.warning("periodic job %s not pushed (%s); retrying", cron_job.name, exc)
                continue
            cron_job.set_enqueue_time(now())
            pushed.append(cron_job)
        return pushed

    def start(self) -> None:
        self._install_signal_handlers()
        self._try(self.register_birth)
        try:
            while True:
                if self.enqueue_jobs():
                    self._try(self.save)
                healthy = self._try(self.heartbeat)
                pause = self.calculate_sleep_interval()
                time.sleep(pause if healthy else min(pause, RETRY_SECONDS) or RETRY_SECONDS)
        except (KeyboardInterrupt, StopRequested):
            log.info("scheduler %s stopping", self.name)
        finally:
            self._try(self.register_death)

    @staticmethod
    def _try(step) -> bool:  # noqa: ANN001
        try:
            step()
        except RedisError as exc:
            log.warning("scheduler bookkeeping failed (%s); retrying", exc)
            return False
        return True


def build_scheduler(app) -> ResilientCronScheduler:  # noqa: ANN001
    from app.jobs import queue_name
    from app.jobs.schedule import periodic_jobs

    with app.app_context():
        connection = Redis.from_url(app.config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=5)
        scheduler = ResilientCronScheduler(connection=connection, name=f"{app.config['RQ_QUEUE']}-cron")
        for entry in periodic_jobs():
            scheduler.register(
                entry.job,
                queue_name(entry.job.spec.queue),
                interval=entry.interval(app.config),
                cron=entry.cron,
                job_timeout=entry.job.spec.timeout,
                name=f"{app.config['RQ_QUEUE']}:{entry.name}",
            )
    return scheduler


def main() -> None:
    app = create_app()
    if not app.config.get("REDIS_URL"):
        raise SystemExit(
            "REDIS_URL is not set: without Redis run the periodic jobs from cron (flask jobs run NAME)"
        )
    build_scheduler(app).start()


if __name__ == "__main__":
    main()
