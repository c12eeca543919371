"""The admin status page names every job, says in the job's row how many households the last
posting run failed for, and lists them below the table (a phone-wide table cell would show a
column of words), ten at most and a count of the rest."""

from __future__ import annotations

import re
from datetime import timedelta

from finora.dates import now_utc
from finora.extensions import db
from finora.jobs import JOBS
from finora.models import JobRun
from tests.factories import create_user


def _failures_block(page: str) -> str:
    found = re.search(r'<section[^>]*id="failures-post_recurring".*?</section>', page, re.S)
    assert found, "no failures block"
    return found.group(0)


def test_an_empty_instance_names_every_job_and_reports_no_failure(signed_in):
    page = signed_in.get("/admin/status").get_data(as_text=True)
    assert page.count("Never ran yet.") == len(JOBS)
    assert "Delete old sign-in sessions" in page
    for job in JOBS:  # no internal job name shown in place of a label
        assert f">{job}<" not in page
    assert "Failed for" not in page and 'id="failures-' not in page


def test_a_posting_run_that_failed_for_many_households_shows_the_count_and_a_short_list(
    signed_in, user
):
    households = [user.memberships[0].household] + [
        create_user().memberships[0].household for _ in range(11)
    ]
    started = now_utc() - timedelta(minutes=1)
    db.session.add(JobRun(job="post_recurring", holder="web-1:1:abc", started_at=started,
                          finished_at=now_utc(), status="success", items=0))
    for household in households:
        db.session.add(JobRun(job="post_recurring", holder="web-1:1:abc", household_id=household.id,
                              started_at=started + timedelta(seconds=1), finished_at=now_utc(),
                              status="error", error=f"RuntimeError: broken rule in {household.id}"))
    # An older run's failure is not counted with the last run's.
    db.session.add(JobRun(job="post_recurring", holder="web-1:1:abc", household_id=households[0].id,
                          started_at=started - timedelta(hours=1), finished_at=started,
                          status="error", error="RuntimeError: long ago"))
    db.session.commit()
    page = signed_in.get("/admin/status").get_data(as_text=True)
    block = _failures_block(page)
    assert "Failed for 12 households" in block
    assert block.count("<li") == 10
    assert "…and 2 more households" in block
    assert "long ago" not in page
    assert "<a " not in block  # nothing to link to: no per-household run page exists
    # The job's row says how many and points at the list, on this same page.
    assert '<a class="link-danger" href="#failures-post_recurring">Failed for 12 households</a>' in page
