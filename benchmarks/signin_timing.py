"""How long a failed sign-in takes for an existing account and for an unknown login name.

Usernames must not be discoverable by timing: a wrong password for an existing account and any
password for a name nobody has should take the same time (app.auth.services.authenticate checks a
dummy hash for unknown names). This measures both through the real API (`POST /api/v1/auth/token`,
the Flask test client, the production password hash: werkzeug's scrypt), interleaved so that any
drift of the machine hits both alike, and prints p50, mean and the difference.

Each attempt uses an account (or unknown name) of its own, so the per-account delay after repeated
failures (app.auth.throttle) never answers instead of the password check; the per-address limit is
raised for the run for the same reason. The database is SQLite in a temporary folder (the embedded
default), or DATABASE_URL's PostgreSQL with `--database-url`.

    .venv/bin/python benchmarks/signin_timing.py [--samples 60] [--database-url postgresql+psycopg://…]

or `make bench-signin`. Figures are recorded in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _app(database_url: str, folder: Path):  # noqa: ANN202
    from app import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SQLALCHEMY_ENGINE_OPTIONS": {},
            "REDIS_URL": "",
            "RATELIMIT_STORAGE_URI": "memory://",
            "SIGNIN_ADDRESS_LIMIT": "1000000 per minute",
            "STORAGE_BACKEND": "local",
            "STORAGE_LOCAL_DIR": str(folder / "files"),
            "PASSWORD_HASH_METHOD": "scrypt",
        }
    )


def _accounts(count: int) -> list[str]:
    from app.auth.services import create_user
    from app.core.uow import unit_of_work

    names = [f"bench.signin.{n}" for n in range(count)]
    with unit_of_work():
        for n, name in enumerate(names):
            create_user(
                username=name,
                password="the-right-password",  # noqa: S106 (benchmark accounts)
                role="citizen",
                full_name=f"Benchmark {n}",
                citizen_id=f"0890{90 + n % 9:02d}{n:06d}",
            )
    return names


def _timed(client, username: str) -> tuple[float, int]:
    started = time.perf_counter()
    answer = client.post("/api/v1/auth/token", json={"username": username, "password": "a-wrong-password"})
    return (time.perf_counter() - started) * 1000, answer.status_code


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=60, help="attempts of each kind (default 60)")
    parser.add_argument("--database-url", help="a PostgreSQL URL instead of a temporary SQLite file")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        app = _app(args.database_url or f"sqlite:///{folder / 'bench.db'}", folder)
        with app.app_context():
            from flask_migrate import upgrade

            from app.extensions import db

            upgrade(revision="heads")
            known = _accounts(args.samples + 2)
            unknown = [f"nobody.{n}" for n in range(args.samples + 2)]
            client = app.test_client()
            _timed(client, known.pop()), _timed(client, unknown.pop())  # warm-up: caches, dummy hash
            _timed(client, known.pop()), _timed(client, unknown.pop())
            times: dict[str, list[float]] = {"known": [], "unknown": []}
            statuses: set[int] = set()
            for existing, nobody in zip(known, unknown, strict=True):
                for kind, name in (("known", existing), ("unknown", nobody)):
                    elapsed, status = _timed(client, name)
                    times[kind].append(elapsed)
                    statuses.add(status)
            db.session.remove()
            db.engine.dispose()

    if statuses != {401}:
        print(f"unexpected answers: {sorted(statuses)} (every attempt should be a 401)")
        return 1
    print(f"failed sign-ins through POST /api/v1/auth/token, scrypt, {args.samples} of each kind")
    print(f"{'':10} {'p50 ms':>8} {'mean ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for kind, values in times.items():
        print(
            f"{kind:10} {statistics.median(values):8.1f} {statistics.fmean(values):8.1f}"
            f" {_p(values, 0.95):8.1f} {max(values):8.1f}"
        )
    a, b = (statistics.median(times[k]) for k in ("known", "unknown"))
    diff = abs(a - b) / max(a, b) * 100
    print(f"difference of the medians: {diff:.1f} % ({'under' if diff < 20 else 'NOT under'} 20 %)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
