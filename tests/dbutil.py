"""Create and drop a uniquely named test database on SQLite, PostgreSQL or MariaDB."""

from __future__ import annotations

import secrets
import tempfile
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from config import normalise_database_url


def server_url_from_env(value: str | None) -> str:
    """FINORA_TEST_DATABASE_URL: empty or 'sqlite' for SQLite, else a server URL."""
    if not value or value.strip().lower() == "sqlite":
        return "sqlite"
    return normalise_database_url(value.strip())


def create_test_database(server: str) -> str:
    """A new, empty database on that server; returns its full URL."""
    name = f"finora_test_{secrets.token_hex(5)}"
    if server == "sqlite":
        directory = Path(tempfile.mkdtemp(prefix="finora-test-"))
        return f"sqlite:///{directory / (name + '.db')}"
    url = make_url(server)
    admin = _admin_engine(url)
    with admin.connect() as connection:
        if url.get_backend_name() == "postgresql":
            connection.execute(text(f'CREATE DATABASE "{name}" ENCODING \'UTF8\''))
        else:
            connection.execute(
                text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
            )
    admin.dispose()
    url = url.set(database=name)
    if url.get_backend_name() == "mysql" and not any(key.startswith("ssl") for key in url.query):
        # PyMySQL's default (TLS when the server offers it) loads the system's CA store on
        # every new connection, about 20 ms of CPU, and each test opens two: the tests'
        # loopback server has no TLS, so they say so and skip the load (a URL naming an
        # ssl_* option keeps its own choice).
        url = url.update_query_dict({"ssl_disabled": "true"})
    return url.render_as_string(hide_password=False)


def drop_test_database(full_url: str) -> None:
    url = make_url(full_url)
    if url.get_backend_name() == "sqlite":
        path = Path(url.database)
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        try:
            path.parent.rmdir()
        except OSError:
            pass
        return
    admin = _admin_engine(url)
    with admin.connect() as connection:
        if url.get_backend_name() == "postgresql":
            connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        else:
            connection.execute(text(f"DROP DATABASE IF EXISTS `{url.database}`"))
    admin.dispose()


def _admin_engine(url):
    maintenance = "postgres" if url.get_backend_name() == "postgresql" else None
    return create_engine(url.set(database=maintenance), isolation_level="AUTOCOMMIT")
