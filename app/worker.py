"""rq worker entry point: `python -m app.worker` (make worker). Builds the app in its own process."""

from __future__ import annotations

import logging

from redis import Redis
from rq import Queue, Worker

from app import create_app


def main() -> None:
    app = create_app()
    if not app.config.get("REDIS_URL"):
        raise SystemExit("REDIS_URL is not set: the embedded default runs jobs in-process, no worker needed")
    connection = Redis.from_url(app.config["REDIS_URL"])
    queue = Queue(app.config["RQ_QUEUE"], connection=connection)
    logging.getLogger("rq.worker").setLevel(logging.INFO)
    with app.app_context():
        Worker([queue], connection=connection).work(with_scheduler=True)


if __name__ == "__main__":
    main()
