"""What /healthz and /readyz answer: short words about the database, the schema and the
scheduler, never a name, an address or a host (anyone who reaches the server may ask)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from finora.dates import now_utc
from finora.models import SchedulerLease
from finora.services.system.schema import SchemaState, schema_state

# A lease renewed on time never expires; a process that stopped cleanly expires it at once
# and the next holder takes it within a tick. This much past its expiry still counts.
LEASE_GRACE = timedelta(seconds=60)


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    state: str  # "ok", "error", "behind", "ahead", "unknown", "stale", "missing", "disabled"


def liveness(state: SchemaState | None = None) -> dict:
    """/healthz: the database answers and the schema is at the code's head."""
    state = state or schema_state()
    return {
        "status": "ok" if state.at_head else "degraded",
        "database": "ok" if state.reachable else "error",
        "schema": state.status,
    }


def scheduler_check(
    session: Session, lease_name: str, *, grace: timedelta = LEASE_GRACE,
    now: datetime | None = None,
) -> Check:
    """The scheduler lease is held: someone renewed it lately (expires_at >= now - grace)."""
    lease = session.get(SchedulerLease, lease_name)
    if lease is None:
        return Check("scheduler", False, "missing")
    fresh = lease.expires_at >= (now or now_utc()) - grace
    return Check("scheduler", fresh, "ok" if fresh else "stale")


def readiness(
    session: Session, *, scheduler_lease: str | None, grace: timedelta = LEASE_GRACE,
    now: datetime | None = None,
) -> list[Check]:
    """/readyz: the database, the migration head and, when the scheduler is on (a lease
    name given), a fresh lease. Never raises."""
    state = schema_state(cast(Engine, session.get_bind()))  # the app's session: its engine
    checks = [
        Check("database", state.reachable, "ok" if state.reachable else "error"),
        Check("schema", state.at_head, state.status),
    ]
    if scheduler_lease is None:
        checks.append(Check("scheduler", True, "disabled"))
    elif not state.at_head:
        # The lease table may not be there yet; nothing runs on a schema it does not know.
        checks.append(Check("scheduler", False, "unknown"))
    else:
        try:
            checks.append(scheduler_check(session, scheduler_lease, grace=grace, now=now))
        except SQLAlchemyError:  # an answer, not an error page
            session.rollback()
            checks.append(Check("scheduler", False, "unknown"))
    return checks
