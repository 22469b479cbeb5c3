"""What the deployment and backup tests share: the test database's URL, a production process's
environment, and gunicorn serving the project on 127.0.0.1."""

import http.client
import os
import secrets
import socket
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote

from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
HOST = "isotrack.example.gov.vn"


def database_url(name=None):
    """postgres://… of the suite's database (the test database once it is set up), or of another
    database `name` on the same server."""
    db = connection.settings_dict
    credentials = quote(db["USER"], safe="") + (f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name or db['NAME']}"


def production_env(**overrides):
    """The environment of a process running the production settings, as docker-compose.yml gives
    them; overrides set or (with None) remove variables."""
    env = {name: value for name, value in os.environ.items() if name != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "isotrack.settings.production",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": HOST,
            "DJANGO_BEHIND_TLS": "false",
            "DATABASE_URL": database_url(),
            "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
            "LOG_LEVEL": "WARNING",
        }
    )
    env.update(overrides)
    return {name: value for name, value in env.items() if value is not None}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Response:
    def __init__(self, response):
        self.status = response.status
        self.headers = response.headers
        self.text = response.read().decode()
        self.cookies = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            self.cookies.load(header)


class Gunicorn:
    """The project under gunicorn with the image's gunicorn.conf.py, on a free port of 127.0.0.1."""

    def __init__(self, env, log_path):
        self.port = free_port()
        self.env = env
        self.log_path = log_path
        self.process = None

    def start(self):
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "isotrack.wsgi:application",
            "--config",
            "gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{self.port}",
        ]
        with open(self.log_path, "w") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        return self

    def wait_until_up(self, seconds=30):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn stopped ({self.process.returncode}):\n{self.log()}")
            try:
                if self.request("GET", "/healthz/").status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not answer /healthz/ within {seconds} s:\n{self.log()}")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log(self):
        return Path(self.log_path).read_text()[-3000:]

    def request(self, method, path, headers=None, body=None, cookies=None):
        headers = {"Host": HOST, **(headers or {})}
        if cookies:
            headers["Cookie"] = "; ".join(f"{name}={morsel.value}" for name, morsel in cookies.items())
        client = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        try:
            client.request(method, path, body=body, headers=headers)
            return Response(client.getresponse())
        finally:
            client.close()
