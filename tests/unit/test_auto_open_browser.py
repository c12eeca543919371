"""FINORA_AUTO_OPEN_BROWSER: only a desktop `python app.py` from a terminal, in the process
that serves, outside a container, opens the browser — once the server listens."""

from __future__ import annotations

import socket
import threading

import pytest

from finora import local_start
from finora.local_start import browser_url, open_browser_when_listening, should_open_browser

ON = {"FINORA_AUTO_OPEN_BROWSER": True, "FINORA_IN_CONTAINER": False}


def test_opens_from_a_terminal_without_the_reloader():
    assert should_open_browser(ON, {}, interactive=True, reloader=False)


def test_off_unless_asked():
    assert not should_open_browser({**ON, "FINORA_AUTO_OPEN_BROWSER": False}, {},
                                   interactive=True, reloader=False)
    assert not should_open_browser({}, {}, interactive=True, reloader=False)


def test_never_without_a_terminal():
    """A service manager, nohup or a pipe: nobody sits at this screen."""
    assert not should_open_browser(ON, {}, interactive=False, reloader=False)


def test_never_in_a_container():
    assert not should_open_browser({**ON, "FINORA_IN_CONTAINER": True}, {},
                                   interactive=True, reloader=False)


@pytest.mark.parametrize(("environ", "expected"), [
    ({}, False),  # the reloader's parent only watches files: the child opens it
    ({"WERKZEUG_RUN_MAIN": "true"}, True),
])
def test_with_the_reloader_only_the_serving_child_opens_it(environ, expected):
    assert should_open_browser(ON, environ, interactive=True, reloader=True) is expected


@pytest.mark.parametrize(("host", "url"), [
    ("127.0.0.1", "http://localhost:5000"),
    ("0.0.0.0", "http://localhost:5000"),  # noqa: S104 - a host string, not a bind
    ("192.168.1.20", "http://192.168.1.20:5000"),
])
def test_the_url_is_where_python_app_py_serves(host, url):
    assert browser_url({"FINORA_HOST": host, "FINORA_PORT": 5000}) == url


def test_opens_the_url_once_something_listens(monkeypatch):
    opened: list[str] = []
    done = threading.Event()

    def fake_open(url):
        opened.append(url)
        done.set()
        return True

    monkeypatch.setattr(local_start.webbrowser, "open", fake_open)
    with socket.socket() as probe:  # a free port, nothing listening yet
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    thread = open_browser_when_listening(url, wait_seconds=10)
    assert not done.wait(0.5) and opened == []  # not before the server listens
    with socket.socket() as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", port))
        server.listen()
        assert done.wait(5)
        thread.join(5)
    assert opened == [url]


def test_gives_up_when_nothing_listens(monkeypatch):
    opened: list[str] = []
    monkeypatch.setattr(local_start.webbrowser, "open", opened.append)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    open_browser_when_listening(f"http://127.0.0.1:{port}", wait_seconds=0.5).join(5)
    assert opened == []
