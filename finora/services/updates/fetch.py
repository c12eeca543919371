"""Getting a manifest, its signature or a package from where the configuration says.

The rules every fetch follows, whoever calls it (the check here, the apply's package
download):
- https:// to any host; http:// only to a loopback host and only while the app is TESTING
  (the tests' local server), never in production;
- a local file (an absolute path or file://) only with UPDATE_ALLOW_LOCAL_ASSETS;
- a redirect must obey the same rules (no https -> http downgrade);
- a size cap counted while reading (a lying Content-Length changes nothing), a timeout,
  and three attempts with a growing pause for what may pass (network errors, timeouts,
  HTTP 5xx/429), none for what will not (404, a refused URL, a too-large body).
Nothing is parsed or trusted here: callers verify signatures on what they get.
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import unquote, urlsplit

from finora.services.updates.errors import UpdateError
from finora.translation import lazy_gettext as _l

ATTEMPTS = 3
BACKOFF_SECONDS = 1.0  # pause before the 2nd attempt; doubled before each later one
MAX_REDIRECTS = 5
CHUNK_BYTES = 64 * 1024
MAX_URL_LENGTH = 2048
# Worth another attempt: the server may be back, or less busy, a moment later.
_RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


class FetchError(UpdateError):
    """The update server could not be reached or did not answer properly."""

    message = _l("The update server could not be reached. Try again later.")
    reason = "network"
    status = 502
    retry = True

    def __init__(self, message=None, *, detail: str | None = None) -> None:
        super().__init__(message)
        # Technical, untranslated (an HTTP status, the OS's error): for the log and admins.
        self.detail = detail


class FetchTimeoutError(FetchError):
    message = _l("The update server took too long to answer. Try again later.")
    reason = "timeout"


class HTTPStatusError(FetchError):
    message = _l("The update server answered with an error.")
    reason = "http_status"

    def __init__(self, status: int) -> None:
        super().__init__(detail=f"HTTP {status}")
        self.http_status = status
        self.retry = status in _RETRY_STATUSES


class NotFoundOnServerError(HTTPStatusError):
    message = _l("The update server does not have the requested file.")
    reason = "not_found"


class TooLargeError(FetchError):
    message = _l("The file offered by the update server is larger than allowed.")
    reason = "too_large"
    retry = False


class URLRefusedError(FetchError):
    """Not fetched at all: plain http to a real host, a local path without permission, …"""

    message = _l(
        "The update address is not allowed: use https://, and a local file only with "
        "UPDATE_ALLOW_LOCAL_ASSETS=1."
    )
    reason = "url_refused"
    status = 422
    retry = False


@dataclass(frozen=True)
class FetchPolicy:
    """What a fetch may reach. `from_config` is the one every caller should use."""

    allow_local: bool = False
    allow_loopback_http: bool = False
    timeout: float = 10.0
    attempts: int = ATTEMPTS
    backoff: float = BACKOFF_SECONDS
    # A time.monotonic() instant every attempt must end by (None: no overall limit). The
    # check sets one so a click on "Check now" ends before the server's worker timeout.
    deadline: float | None = None

    def until(self, seconds: float) -> FetchPolicy:
        """This policy with every attempt ending within `seconds` from now."""
        return replace(self, deadline=time.monotonic() + seconds)

    def attempt_seconds(self) -> float:
        """How long the next attempt may take; FetchTimeoutError when nothing is left."""
        if self.deadline is None:
            return self.timeout
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise FetchTimeoutError(detail="no time left for the check")
        return min(self.timeout, left)

    @classmethod
    def from_config(cls, config, *, timeout: float | None = None) -> FetchPolicy:
        return cls(
            allow_local=bool(config.get("UPDATE_ALLOW_LOCAL_ASSETS")),
            allow_loopback_http=bool(config.get("TESTING")),
            timeout=float(timeout or config.get("UPDATE_CHECK_TIMEOUT_SECONDS") or 10),
            attempts=ATTEMPTS,
            backoff=BACKOFF_SECONDS,
        )


def current_policy(*, timeout: float | None = None) -> FetchPolicy:
    from flask import current_app

    return FetchPolicy.from_config(current_app.config, timeout=timeout)


def is_loopback_host(host: str | None) -> bool:
    """127.0.0.0/8, ::1 or "localhost" — never a name that merely resolves to them."""
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def local_path(url: str) -> Path | None:
    """The file a manifest names when `url` is a local path (absolute, or file://)."""
    if url.startswith("file:"):
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            return None
        return Path(unquote(parts.path))
    if url.startswith("/") or (len(url) > 2 and url[1] == ":" and url[2] in "\\/"):
        return Path(url)
    return None


def check_url(url: str, policy: FetchPolicy) -> None:
    """URLRefusedError unless the policy lets this URL be fetched."""
    if not isinstance(url, str) or not url or len(url) > MAX_URL_LENGTH:
        raise URLRefusedError(detail="empty or too long")
    if any(ch in url for ch in "\r\n\t ") or not url.isprintable():
        raise URLRefusedError(detail="control characters")
    path = local_path(url)
    if path is not None:
        if not policy.allow_local:
            raise URLRefusedError(detail="local file without UPDATE_ALLOW_LOCAL_ASSETS")
        if not path.is_absolute():
            raise URLRefusedError(detail="relative local path")
        return
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as error:
        raise URLRefusedError(detail="bad host or port") from error
    if not host or parts.username or parts.password:
        raise URLRefusedError(detail="no host, or credentials in the URL")
    if scheme == "https":
        return
    if scheme == "http" and policy.allow_loopback_http and is_loopback_host(host):
        return
    raise URLRefusedError(detail=f"scheme {scheme or '(none)'} to {host}")


def url_allowed(url: str, policy: FetchPolicy) -> bool:
    try:
        check_url(url, policy)
    except URLRefusedError:
        return False
    return True


def fetch_bytes(url: str, *, max_bytes: int, policy: FetchPolicy,
                sleep: Callable[[float], None] | None = None) -> bytes:
    """The whole body at `url` (at most `max_bytes`), after up to `policy.attempts` tries."""
    check_url(url, policy)
    path = local_path(url)
    if path is not None:
        return _read_local(path, max_bytes)

    def attempt() -> bytes:
        chunks: list[bytes] = []
        _stream(url, policy, max_bytes, chunks.append, limit=policy.attempt_seconds())
        return b"".join(chunks)

    return _with_retries(attempt, policy, sleep)


def download(url: str, dest: Path, *, max_bytes: int, timeout: float | None = None,
             policy: FetchPolicy | None = None,
             sleep: Callable[[float], None] | None = None) -> None:
    """Stream `url` into `dest` (the caller's `.part` file, created or truncated), at most
    `max_bytes`. On any failure `dest` is removed and a FetchError raised; nothing here
    verifies the content — the caller checks size, sha256 and signature before use."""
    policy = policy or current_policy(timeout=timeout)
    if timeout is not None and policy.timeout != timeout:
        policy = replace(policy, timeout=float(timeout))
    dest = Path(dest)
    try:
        check_url(url, policy)
        path = local_path(url)
        if path is not None:
            _copy_local(path, dest, max_bytes)
            return

        def attempt() -> None:
            with open(dest, "wb") as out:
                # No overall deadline: a big package on a slow line may take minutes; each
                # read still times out after policy.timeout seconds of silence.
                _stream(url, policy, max_bytes, out.write, limit=None)

        _with_retries(attempt, policy, sleep)
    except BaseException:
        dest.unlink(missing_ok=True)
        raise


def _with_retries(attempt, policy: FetchPolicy, sleep):
    sleep = sleep or time.sleep
    pause = policy.backoff
    for number in range(1, max(policy.attempts, 1) + 1):
        try:
            return attempt()
        except FetchError as error:
            if not error.retry or number >= policy.attempts:
                raise
            # Only an attempt that can end before the deadline is worth starting.
            if policy.deadline is not None and (
                    time.monotonic() + pause + policy.timeout > policy.deadline):
                raise
        sleep(pause)
        pause *= 2
    raise AssertionError("unreachable")  # pragma: no cover


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only to a URL the same policy allows (and never to a file)."""

    max_redirections = MAX_REDIRECTS

    def __init__(self, policy: FetchPolicy) -> None:
        super().__init__()
        self.policy = policy

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if local_path(newurl) is not None:
            raise URLRefusedError(detail="redirect to a local file")
        check_url(newurl, self.policy)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _opener(url: str, policy: FetchPolicy) -> urllib.request.OpenerDirector:
    handlers: list = [_CheckedRedirects(policy),
                      urllib.request.HTTPSHandler(context=ssl.create_default_context())]
    if is_loopback_host(urlsplit(url).hostname):
        handlers.append(urllib.request.ProxyHandler({}))  # never send loopback via a proxy
    return urllib.request.build_opener(*handlers)


def _user_agent() -> str:
    from finora.version import __version__

    return f"Finora/{__version__} (update check)"


def _stream(url: str, policy: FetchPolicy, max_bytes: int, write: Callable[[bytes], object],
            *, limit: float | None) -> None:
    """One attempt; `limit` bounds its whole duration (None: only each read's timeout)."""
    started = time.monotonic()
    # S310: every caller ran check_url first (https, or http to loopback only).
    request = urllib.request.Request(url, headers={"User-Agent": _user_agent(),  # noqa: S310
                                                   "Accept-Encoding": "identity"})
    try:
        with _opener(url, policy).open(request, timeout=limit or policy.timeout) as response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise TooLargeError(detail=f"Content-Length {length} > {max_bytes}")
            received = 0
            while True:
                chunk = response.read(CHUNK_BYTES)
                if not chunk:
                    break
                received += len(chunk)
                if received > max_bytes:
                    raise TooLargeError(detail=f"more than {max_bytes} bytes")
                write(chunk)
                if limit is not None and time.monotonic() - started > limit:
                    raise FetchTimeoutError(detail=f"over {limit:g} s")
    except FetchError:
        raise
    except urllib.error.HTTPError as error:
        error.close()
        if error.code == 404 or error.code == 410:
            raise NotFoundOnServerError(error.code) from error
        raise HTTPStatusError(error.code) from error
    except TimeoutError as error:
        raise FetchTimeoutError(detail=str(error) or "timed out") from error
    except urllib.error.URLError as error:
        if isinstance(error.reason, FetchError):
            raise error.reason from error
        if isinstance(error.reason, TimeoutError):
            raise FetchTimeoutError(detail="timed out") from error
        raise FetchError(detail=str(error.reason)) from error
    except (OSError, ValueError) as error:  # resets, TLS failures, a bad status line
        raise FetchError(detail=f"{type(error).__name__}: {error}") from error


def _read_local(path: Path, max_bytes: int) -> bytes:
    try:
        with open(path, "rb") as source:
            if os.fstat(source.fileno()).st_size > max_bytes:
                raise TooLargeError(detail=str(path))
            data = source.read(max_bytes + 1)
    except FileNotFoundError as error:
        raise FetchError(NotFoundOnServerError.message, detail=str(path)) from error
    except OSError as error:
        raise FetchError(detail=f"{path}: {error.strerror}") from error
    if len(data) > max_bytes:
        raise TooLargeError(detail=str(path))
    return data


def _copy_local(path: Path, dest: Path, max_bytes: int) -> None:
    try:
        with open(path, "rb") as source, open(dest, "wb") as out:
            if os.fstat(source.fileno()).st_size > max_bytes:
                raise TooLargeError(detail=str(path))
            shutil.copyfileobj(source, out, CHUNK_BYTES)
        if dest.stat().st_size > max_bytes:
            raise TooLargeError(detail=str(path))
    except FileNotFoundError as error:
        raise FetchError(NotFoundOnServerError.message, detail=str(path)) from error
    except TooLargeError:
        raise
    except OSError as error:
        raise FetchError(detail=f"{path}: {error.strerror}") from error
