"""Start the app as in production (gunicorn, several worker processes) on a free loopback port."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess  # nosec B404
import sys
import time
from pathlib import Path

import requests

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(config: dict, instance: Path) -> dict[str, str]:
    """The process environment that gives the app ``config`` (as HELPDESK_* variables)."""
    env = dict(os.environ)
    for key, value in config.items():
        if key != "TESTING":
            env[f"HELPDESK_{key}"] = value if isinstance(value, str) else json.dumps(value)
    env["HELPDESK_INSTANCE_PATH"] = str(instance)
    env["PYTHONPATH"] = str(PROJECT_ROOT)
    return env


class Gunicorn:
    """A real gunicorn serving the app with ``workers`` processes on 127.0.0.1; ``stop()`` ends it."""

    def __init__(
        self,
        config: dict,
        instance: Path,
        workers: int = 3,
        port: int | None = None,
        log: Path | None = None,
        extra_args: tuple[str, ...] = (),
    ) -> None:
        instance.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log or instance / "gunicorn.log"
        self._log_handle = self.log.open("ab")
        self.process = subprocess.Popen(  # nosec B603
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--timeout",
                "60",
                "--graceful-timeout",
                "5",
                *extra_args,
                "helpdesk:create_app()",
            ],
            env=environment(config, instance),
            cwd=str(PROJECT_ROOT),
            stdout=self._log_handle,
            stderr=subprocess.STDOUT,
        )
        try:
            self._wait_ready()
        except Exception:
            self.stop()
            raise

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log.read_text(errors='replace')[-2000:]}")
            try:
                requests.get(self.url + "/auth/login", timeout=10)
                return
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start within 90 s")

    def worker_pids(self) -> list[int]:
        """The live workers (a killed one the master has not reaped yet is a zombie: left out)."""
        out = subprocess.run(
            ["ps", "-o", "pid=,stat=", "--ppid", str(self.process.pid)],  # nosec B603 B607
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        return [
            int(pid)
            for pid, stat in (line.split() for line in out.splitlines() if line.strip())
            if not stat.startswith("Z")
        ]

    def kill_a_worker(self, attempts: int = 20) -> bool:
        """SIGKILL one live worker; False when none could be found. A worker may exit between listing and
        killing (the master reaps and replaces workers on its own): then list again."""
        for _ in range(attempts):
            for pid in self.worker_pids():
                try:
                    os.kill(pid, signal.SIGKILL)
                    return True
                except ProcessLookupError:
                    continue
            time.sleep(0.1)
        return False

    def log_text(self) -> str:
        if not self._log_handle.closed:
            self._log_handle.flush()
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log_handle.close()


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    if not match:
        raise AssertionError("no CSRF token in the page")
    return match.group(1)


def sign_in(
    http: requests.Session, base: str, email: str, password: str, timeout: float = 30
) -> requests.Response:
    """Sign in as a browser would: read the form's CSRF token, post the form."""
    token = csrf_from(http.get(base + "/auth/login", timeout=timeout).text)
    return http.post(
        base + "/auth/login",
        data={"email": email, "password": password, "csrf_token": token},
        allow_redirects=False,
        timeout=timeout,
    )


class FromAddress(requests.adapters.HTTPAdapter):
    """Connect from another loopback address (127.0.0.2...: Linux routes all of 127/8 to this machine), as
    another client machine would: ``http.mount("http://", FromAddress("127.0.0.2"))``."""

    def __init__(self, source: str) -> None:
        self.source = source
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.source, 0)
        super().init_poolmanager(*args, **kwargs)
