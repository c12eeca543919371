"""The load test's simulated people (locust): `python -m tests.load.run` starts this.

Each simulated person is one of the seeded people (FINORA_LOAD_USERS, the JSON file the
driver writes: e-mail, password, API token, household, its backup), signs in once through
the sign-in form from an address of its own (the server trusts one proxy hop, as behind a
reverse proxy, so the sign-in limit of 10 per 5 minutes per address holds without turning
the load into 429s), keeps the session, and then clicks through a weighted mix with a
pause between clicks (FINORA_LOAD_WAIT, default "3,10" seconds; FINORA_LOAD_TOUR=1 first
visits every page once, for the suite's run of a few seconds):

    dashboard, transactions, forecast, reports          the pages people read most
    entry create / entry edit                           forms, with their CSRF and form
                                                        tokens read from the form page; one
                                                        create in five is sent twice (a
                                                        double click: must save once)
    api: ...                                            /api/v1 reads and writes with a token
    import                                              a three-row CSV, POST /api/v1/imports
                                                        with commit
    backups / backup download                           the backup centre and a download (rare)

Every request is named by its page, not its URL, so locust's table has one row per page.
Answers other than the expected status count as failures.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import random
from pathlib import Path

import gevent
from locust import HttpUser, between, task

from tests.load.forms import form_with, letters

_DATA = json.loads(Path(os.environ["FINORA_LOAD_USERS"]).read_text(encoding="utf-8"))
_SLOTS = itertools.count()
_TOURS_DONE: list[int] = []
_WAIT = tuple(float(part) for part in os.environ.get("FINORA_LOAD_WAIT", "3,10").split(","))


class Person(HttpUser):
    wait_time = between(*_WAIT)

    def on_start(self) -> None:
        slot = next(_SLOTS)
        self.me = _DATA["users"][slot % len(_DATA["users"])]
        self.slot = slot
        self.serial = itertools.count(1)
        self.api_entries: list[int] = []
        self.year, self.month, self.today = _DATA["year"], _DATA["month"], _DATA["today"]
        # One address per person, as seen through the trusted proxy hop.
        self.client.headers["X-Forwarded-For"] = f"10.77.{slot // 250}.{slot % 250 + 1}"
        self.client.headers["Accept-Language"] = "pt"
        self.client.headers["X-Finora-Load"] = "1"  # measured inside the workers too
        self.api = {"Authorization": f"Bearer {self.me['token']}"}
        page = self.client.get("/login", name="sign-in page")
        fields = form_with(page.text, "password")["fields"]
        fields.update(email=self.me["email"], password=self.me["password"])
        with self.client.post("/login", data=fields, name="sign-in", allow_redirects=False,
                              catch_response=True) as response:
            if response.status_code != 302:
                response.failure(f"sign-in answered {response.status_code}")
        if os.environ.get("FINORA_LOAD_TOUR") == "1":  # the suite's short run: every page once
            for name in TOUR:
                getattr(self, name)()
            _TOURS_DONE.append(self.slot)
            runner = self.environment.runner
            if len(_TOURS_DONE) >= runner.target_user_count:
                # Every person has seen every page: the run is over (quit from a greenlet of
                # its own: a person stopping the runner from inside would stop itself first).
                gevent.spawn(runner.quit)

    def _marker(self) -> str:
        return f"Load p{self.slot} #{next(self.serial)}"

    def _get(self, url: str, name: str, **kwargs):
        with self.client.get(url, name=name, catch_response=True, **kwargs) as response:
            if response.status_code != 200:
                response.failure(f"{name} answered {response.status_code}")
            return response

    # --- pages ------------------------------------------------------------------------

    @task(30)
    def dashboard(self) -> None:
        self._get(f"/dashboard/{self.year}/{self.month}", "dashboard")

    @task(18)
    def transactions(self) -> None:
        self._get("/transactions", "transactions")

    @task(12)
    def forecast(self) -> None:
        self._get("/forecast", "forecast")

    @task(9)
    def reports(self) -> None:
        self._get(f"/reports/month?year={self.year}&month={self.month}", "reports")

    # --- forms ------------------------------------------------------------------------

    @task(9)
    def entry_create(self) -> None:
        page = self._get("/entries/new", "entry form")
        if page.status_code != 200:
            return
        form = form_with(page.text, "amount")
        fields = form["fields"]
        fields.update(
            kind="expense", amount=f"{random.randint(100, 99_999) / 100:.2f}",
            description=self._marker(), date=self.today,
        )
        if not fields.get("category_id"):
            fields["category_id"] = next(v for v in form["options"]["category_id"] if v)
        twice = random.random() < 0.2
        for name in ("entry create", "entry create (again)") if twice else ("entry create",):
            with self.client.post("/entries/new", data=fields, name=name, allow_redirects=False,
                                  catch_response=True) as response:
                if response.status_code != 302:
                    response.failure(f"{name} answered {response.status_code}")

    @task(6)
    def entry_edit(self) -> None:
        if not self.api_entries:
            self.api_write_entry()
            return
        entry_id = random.choice(self.api_entries)
        page = self._get(f"/entries/{entry_id}/edit", "entry edit form")
        if page.status_code != 200:
            return
        fields = form_with(page.text, "amount")["fields"]
        fields.update(amount=f"{random.randint(100, 99_999) / 100:.2f}", notes="edited under load")
        with self.client.post(f"/entries/{entry_id}/edit", data=fields, name="entry edit",
                              allow_redirects=False, catch_response=True) as response:
            if response.status_code != 302:
                response.failure(f"entry edit answered {response.status_code}")

    # --- API --------------------------------------------------------------------------

    @task(10)
    def api_read_entries(self) -> None:
        self._get(f"/api/v1/entries?year={self.year}&month={self.month}&limit=50",
                  "api: GET /entries", headers=self.api)

    @task(8)
    def api_read_dashboard(self) -> None:
        self._get("/api/v1/dashboard", "api: GET /dashboard", headers=self.api)

    @task(6)
    def api_write_entry(self) -> None:
        body = {"type": "expense", "amount": f"{random.randint(100, 99_999) / 100:.2f}",
                "description": self._marker(), "date": self.today}
        with self.client.post("/api/v1/entries", json=body, headers=self.api,
                              name="api: POST /entries", catch_response=True) as response:
            if response.status_code != 201:
                response.failure(f"api POST /entries answered {response.status_code}")
                return
            self.api_entries.append(response.json()["data"]["id"])

    @task(3)
    def api_update_entry(self) -> None:
        if not self.api_entries:
            self.api_write_entry()
            return
        entry_id = random.choice(self.api_entries)
        body = {"amount": f"{random.randint(100, 99_999) / 100:.2f}", "paid": True}
        with self.client.put(f"/api/v1/entries/{entry_id}", json=body, headers=self.api,
                             name="api: PUT /entries/{id}", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"api PUT /entries answered {response.status_code}")

    @task(1)
    def api_schedule(self) -> None:
        """A weekly schedule that started three weeks ago: its due occurrences are posted in
        the request, as the scheduler posts the seeded auto-post rules meanwhile."""
        body = {"name": self._marker(), "amount": "25.00", "type": "expense",
                "frequency": "weekly", "first_date": _DATA["three_weeks_ago"]}
        with self.client.post("/api/v1/schedules", json=body, headers=self.api,
                              name="api: POST /schedules", catch_response=True) as response:
            if response.status_code != 201:
                response.failure(f"api POST /schedules answered {response.status_code}")

    # --- import and backup --------------------------------------------------------------

    @task(2)
    def import_csv(self) -> None:
        marker = self._marker()
        # Unique in letters too: the import tells rows apart by date, amount and the
        # description's letters (two people's rows must not read as the same row).
        tag = f"{letters(self.slot)} {letters(int(marker.rsplit('#', 1)[1]))}"
        rows = "\n".join(
            f"{self.today},{marker} row {n} {tag} {letters(n)},-{random.randint(100, 9_999) / 100:.2f}"
            for n in (1, 2, 3)
        )
        content = f"date,description,amount\n{rows}\n".encode()
        body = {"filename": "load.csv", "content_base64": base64.b64encode(content).decode(),
                "commit": True}
        with self.client.post("/api/v1/imports", json=body, headers=self.api, name="import",
                              catch_response=True) as response:
            if response.status_code != 201:
                response.failure(f"import answered {response.status_code}: {response.text[:200]}")
                return
            counts = response.json()["data"]["counts"]
            if counts.get("new") != 3:
                response.failure(f"import read {counts}, not 3 new rows")

    @task(1)
    def backup(self) -> None:
        self._get("/backups/", "backups")
        self._get(f"/backups/{self.me['backup_id']}/download", "backup download")


TOUR = ("backup", "import_csv", "api_schedule", "dashboard", "transactions", "forecast", "reports",
        "entry_create", "api_write_entry", "entry_edit", "api_read_entries", "api_read_dashboard",
        "api_update_entry")
