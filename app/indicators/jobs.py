"""Jobs of the indicators domain: keeping the daily rollup up to date (app.indicators.rollups)."""

from __future__ import annotations

from app.jobs import HEAVY, job


@job(queue=HEAVY, timeout=1800, retry=(60, 300))
def refresh_indicator_rollups() -> int:
    """Periodic: record again the dossiers changed since the last run and add up the days they touch,
    and yesterday once it has ended. Idempotent; a refresh missed only means more corrections per
    request meanwhile (the figures stay those of the records)."""
    from app.indicators.rollups import refresh_rollups

    done = refresh_rollups()
    return 0 if done is None else done.rows
