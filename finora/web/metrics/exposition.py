"""What a scrape returns: this process's metrics — or, under gunicorn, every worker's,
summed from the multiprocess files — plus the instance's figures read from the database
at that moment (the same in whichever worker answers)."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from finora.services.system.metrics_gauges import InstanceGauges, read_instance_gauges
from finora.services.system.schema import schema_state

log = logging.getLogger("finora.metrics")


def multiprocess_mode() -> bool:
    # The test prometheus_client itself applies when it picks where values live.
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


class MetricsUnavailable(Exception):
    """The workers' values cannot be read: the scrape fails (503) instead of reporting
    a part as the whole."""


class InstanceCollector:
    """Gauges computed from the database on each scrape (a custom collector: nothing is
    stored between scrapes, so no worker can report a stale figure)."""

    def __init__(self, session: Session, jobs: list[str], version: str) -> None:
        self.session = session
        self.jobs = jobs
        self.version = version

    def _read(self) -> InstanceGauges | None:
        try:
            return read_instance_gauges(self.session, self.jobs)
        except SQLAlchemyError:
            self.session.rollback()
            log.warning("metrics: the database could not be read", exc_info=True)
            return None

    def collect(self) -> Iterator:
        from prometheus_client.core import GaugeMetricFamily

        info = GaugeMetricFamily("finora_build_info", "The running Finora version.", labels=["version"])
        info.add_metric([self.version], 1)
        yield info
        gauges = self._read()
        yield GaugeMetricFamily(
            "finora_database_up", "1 when the scrape could read the database.",
            value=0 if gauges is None else 1,
        )
        if gauges is None:
            return
        # Behind after an update whose migration did not run: every page answers 503.
        yield GaugeMetricFamily(
            "finora_schema_at_head", "1 when the database is at this code's migration head.",
            value=1 if schema_state().at_head else 0,
        )
        yield GaugeMetricFamily("finora_households", "Households.", value=gauges.households)
        users = GaugeMetricFamily("finora_users", "User accounts by status.", labels=["status"])
        for status in ("active", "pending", "disabled"):
            users.add_metric([status], gauges.users_by_status.get(status, 0))
        yield users
        yield GaugeMetricFamily("finora_entries", "Ledger entries, all households.", value=gauges.entries)
        if gauges.instance_backup_age is not None:
            yield GaugeMetricFamily(
                "finora_instance_backup_age_seconds",
                "Seconds since the newest instance backup (absent: none yet).",
                value=gauges.instance_backup_age,
            )
        if gauges.household_backup_oldest_age is not None:
            yield GaugeMetricFamily(
                "finora_household_backup_oldest_age_seconds",
                "Among households with a backup schedule, seconds since the stalest one's "
                "newest backup.",
                value=gauges.household_backup_oldest_age,
            )
        yield GaugeMetricFamily(
            "finora_households_without_backup",
            "Households with a backup schedule and no backup yet.",
            value=gauges.households_without_backup,
        )
        ages = GaugeMetricFamily(
            "finora_job_last_success_age_seconds",
            "Seconds since each scheduled job last succeeded (absent: never).",
            labels=["job"],
        )
        for job, age in sorted(gauges.job_success_age.items()):
            ages.add_metric([job], age)
        yield ages


class _Scrape:
    """The collectors one scrape reads, in order (the encoders only call collect())."""

    def __init__(self, *sources) -> None:
        self.sources = sources

    def collect(self) -> Iterator:
        for source in self.sources:
            yield from source.collect()


def scrape(session: Session, jobs: list[str], version: str) -> _Scrape:
    from prometheus_client import REGISTRY, CollectorRegistry, disable_created_metrics

    # `*_created` series exist in single-process mode only: without them a scrape reads
    # the same under `python app.py` as under gunicorn.
    disable_created_metrics()
    instance = InstanceCollector(session, jobs, version)
    if multiprocess_mode():
        from prometheus_client import multiprocess

        folder = os.environ["PROMETHEUS_MULTIPROC_DIR"]
        if not os.path.isdir(folder):
            raise MetricsUnavailable(f"PROMETHEUS_MULTIPROC_DIR {folder} is not a folder")
        workers = CollectorRegistry()
        multiprocess.MultiProcessCollector(workers)
        return _Scrape(workers, instance)
    return _Scrape(REGISTRY, instance)
