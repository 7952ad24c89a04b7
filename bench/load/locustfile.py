"""50 simulated operators on the phone: they search the directory, open organisations, add notes, record
requests, add leads, transfer and close them. Run by ``bench/load/run.py`` (which starts the server and
checks the database afterwards); needs only locust and requests.

Environment: LOAD_ACCOUNTS (JSON list of {"email", "password", "token", "territory"}), LOAD_TALLY_DIR (where
each locust process writes what the server acknowledged), LOAD_ORGANISATION_IDS (JSON list).
"""

from __future__ import annotations

import atexit
import itertools
import json
import os
import random
import re
import threading
from collections import Counter
from pathlib import Path

from locust import HttpUser, between, task

ACCOUNTS = json.loads(os.environ.get("LOAD_ACCOUNTS", "[]"))
ORGANISATION_IDS = json.loads(os.environ.get("LOAD_ORGANISATION_IDS", "[]")) or [1]
TALLY_DIR = Path(os.environ.get("LOAD_TALLY_DIR", "/tmp"))
QUERIES = [
    "maison medicale",
    "cpas",
    "ocmw",
    "santé mentale",
    "wijkgezondheidscentrum",
    "aide alimentaire",
    "logement",
    "1030",
    "schaerbeek",
    "huisvesting",
    "planning familial",
    "maison medicale sud",
    "mediation de dettes",
    "schuldbemiddeling",
    "sans abri",
    "dak- en thuislozen",
]
BASINS = ["nord", "nord-est", "centre-ouest", "sud", "sud-est"]
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')

_accounts = itertools.cycle(ACCOUNTS)
_lock = threading.Lock()
TALLY: Counter = Counter()


def acknowledged(kind: str) -> None:
    with _lock:
        TALLY[kind] += 1


@atexit.register
def _write_tally() -> None:
    (TALLY_DIR / f"tally-{os.getpid()}.json").write_text(json.dumps(TALLY))


class Operator(HttpUser):
    wait_time = between(0.5, 2.0)  # an operator on the phone clicks every second or so

    def on_start(self) -> None:
        with _lock:
            self.account = next(_accounts)
        self.api = {"Authorization": f"Bearer {self.account['token']}"}
        page = self.client.get("/auth/login", name="/auth/login")
        token = CSRF.search(page.text).group(1)
        self.client.post(
            "/auth/login",
            data={"email": self.account["email"], "password": self.account["password"], "csrf_token": token},
            name="/auth/login [POST]",
        )
        self.mine: list[dict] = []
        self.proposed: dict[int, set[int]] = {}

    def _csrf(self, page_text: str) -> str | None:
        match = CSRF.search(page_text)
        return match.group(1) if match else None

    @task(6)
    def search(self) -> None:
        params = {"q": random.choice(QUERIES)}
        if random.random() < 0.3:
            params["basin"] = random.choice(BASINS)
        self.client.get("/directory/", params=params, name="/directory/?q=")
        self.client.get("/directory/", params={**params, "partial": "1"}, name="/directory/?q=&partial=1")

    @task(3)
    def organisation_and_note(self) -> None:
        org = random.choice(ORGANISATION_IDS)
        page = self.client.get(f"/directory/organisations/{org}", name="/directory/organisations/[id]")
        if random.random() < 0.3:
            token = self._csrf(page.text)
            with self.client.post(
                f"/directory/organisations/{org}/notes",
                data={
                    "text": f"Liste d'attente de {random.randint(1, 6)} mois (load)",
                    "csrf_token": token or "",
                },
                name="/directory/organisations/[id]/notes [POST]",
                allow_redirects=False,
                catch_response=True,
            ) as response:
                if response.status_code in (302, 303):
                    acknowledged("notes")
                    response.success()
                else:
                    response.failure(f"note: {response.status_code}")

    @task(3)
    def record_request(self) -> None:
        body = {
            "channel": "phone",
            "urgency": random.choice(["normal", "high"]),
            "caller": {"name": "AS du CPAS (load)", "function": "assistante sociale", "sector": "cpas"},
            "residence_postcode": random.choice(["1000", "1030", "1080", "1190", "1210"]),
            "question": "Cherche une maison médicale qui accepte un nouveau patient (load).",
            "languages": ["fr"],
        }
        with self.client.post(
            "/api/v1/requests",
            json=body,
            headers=self.api,
            name="/api/v1/requests [POST]",
            catch_response=True,
        ) as response:
            if response.status_code == 201:
                acknowledged("requests")
                self.mine.append(response.json())
                response.success()
            else:
                response.failure(f"create: {response.status_code} {response.text[:200]}")

    @task(3)
    def follow_up(self) -> None:
        if not self.mine:
            return
        req = random.choice(self.mine)
        self.client.get(f"/requests/{req['id']}", name="/requests/[id]")
        # An operator proposes an organisation once per request (the app refuses the same lead twice).
        proposed = self.proposed.setdefault(req["id"], set())
        organisation_id = random.choice(
            [i for i in ORGANISATION_IDS if i not in proposed] or ORGANISATION_IDS
        )
        proposed.add(organisation_id)
        with self.client.post(
            f"/api/v1/requests/{req['id']}/leads",
            headers=self.api,
            json={"organisation_id": organisation_id, "note": "load"},
            name="/api/v1/requests/[id]/leads [POST]",
            catch_response=True,
        ) as response:
            if response.status_code == 201:
                acknowledged("leads")
                response.success()
            else:
                response.failure(f"lead: {response.status_code} {response.text[:200]}")

    @task(1)
    def transfer_or_close(self) -> None:
        if not self.mine:
            return
        req = self.mine.pop(random.randrange(len(self.mine)))
        current = self.client.get(
            f"/api/v1/requests/{req['id']}", headers=self.api, name="/api/v1/requests/[id]"
        ).json()
        if random.random() < 0.4:
            # A basin hands over to the region (always allowed); the region back to a basin.
            to = "region" if current["territory"] != "region" else random.choice(BASINS)
            with self.client.post(
                f"/api/v1/requests/{req['id']}/transfer",
                headers=self.api,
                json={"to": to, "note": "load", "version": current["version"]},
                name="/api/v1/requests/[id]/transfer [POST]",
                catch_response=True,
            ) as response:
                if response.status_code == 200:
                    acknowledged("transfers")
                    response.success()
                else:
                    response.failure(f"transfer: {response.status_code} {response.text[:200]}")
            return
        with self.client.post(
            f"/api/v1/requests/{req['id']}/close",
            headers=self.api,
            json={"feedback": "Orientation donnée (load)", "version": current["version"]},
            name="/api/v1/requests/[id]/close [POST]",
            catch_response=True,
        ) as response:
            if response.status_code == 200:
                acknowledged("closed")
                response.success()
            else:
                response.failure(f"close: {response.status_code} {response.text[:200]}")
