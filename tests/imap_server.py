"""A real IMAP server for tests: Debian's dovecot on 127.0.0.1, started once per test
session in a temporary folder (the `imap_server` fixture), with a fresh mailbox user per
test (`mail_user`) and messages delivered by IMAP APPEND.

The server has an SSL/TLS port and a plain port that offers STARTTLS (dovecot counts
loopback as secure, so it would also take a password without it: the engine never sends
one before STARTTLS), a certificate signed by a throwaway CA made here with
`cryptography` (`imap_server.ca_file` is what EMAIL_IMPORT_CA_FILE points at), a
passwd-file per user, and Maildir storage. Without /usr/sbin/dovecot the tests that use
it are skipped with the reason, unless CI=true, where that is a failure (as for the
databases in tests/require_server.py).
"""

from __future__ import annotations

import imaplib
import ipaddress
import os
import pwd
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

DOVECOT = "/usr/sbin/dovecot"
HOST = "127.0.0.1"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _write_certificates(folder: Path) -> tuple[Path, Path, Path]:
    """A CA and a server certificate for localhost and 127.0.0.1 signed by it: (CA file,
    server certificate, server key), all PEM."""
    now = datetime.now(UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Finora test CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name).issuer_name(ca_name)
        .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1)).not_valid_after(now + timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False,
                                     key_encipherment=False, data_encipherment=False,
                                     key_agreement=False, key_cert_sign=True, crl_sign=True,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1)).not_valid_after(now + timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([
            x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address(HOST))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                     key_encipherment=False, data_encipherment=False,
                                     key_agreement=True, key_cert_sign=False, crl_sign=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                       critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    ca_file, cert_file, key_file = folder / "ca.pem", folder / "cert.pem", folder / "key.pem"
    ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    key_file.chmod(0o600)
    return ca_file, cert_file, key_file


def _accounts() -> tuple[str, str, int, int]:
    """(internal user, login user, mail uid, mail gid). As root: Debian's package's users,
    and the mail read as `nobody` (dovecot never reads mail as root). Otherwise everything
    runs as the user running the tests (a rootless dovecot)."""
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        return "dovecot", "dovenull", nobody.pw_uid, nobody.pw_gid
    me = pwd.getpwuid(os.getuid())
    return me.pw_name, me.pw_name, me.pw_uid, me.pw_gid


def _config(root: Path, ssl_port: int, plain_port: int, cert: Path, key: Path) -> str:
    internal, login, uid, gid = _accounts()
    return f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = {HOST}
default_internal_user = {internal}
default_login_user = {login}
first_valid_uid = 1
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
disable_plaintext_auth = yes
auth_mechanisms = plain login
auth_failure_delay = 0
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users/%u
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u allow_all_users=yes
}}
mail_location = maildir:~/Maildir
mail_fsync = never
service imap-login {{
  chroot =
  inet_listener imap {{
    address = {HOST}
    port = {plain_port}
  }}
  inet_listener imaps {{
    address = {HOST}
    port = {ssl_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
  # No growing delay after a wrong password (the auth penalty): tests try wrong ones.
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service stats {{
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""


@dataclass
class MailUser:
    """One mailbox on the server, and the means to put messages in it."""

    server: ImapServer
    username: str
    password: str

    def sign_in(self, conn: imaplib.IMAP4) -> None:
        """SASL PLAIN (UTF-8: a password may hold any character)."""
        credentials = f"\0{self.username}\0{self.password}".encode()
        conn.authenticate("PLAIN", lambda _challenge: credentials)

    def deliver(self, message: EmailMessage | bytes, *, received: datetime | None = None,
                folder: str = "INBOX") -> None:
        """Put a message in the folder (APPEND over SSL), received at `received` (its
        INTERNALDATE, what IMAP's SINCE compares; now by default)."""
        raw = message if isinstance(message, bytes) else message.as_bytes()
        when = (received or datetime.now(UTC)).astimezone(UTC)
        with self.server.connect() as conn:
            self.sign_in(conn)
            if folder != "INBOX":  # as IMAP names it (modified UTF-7); NO if it exists
                conn.create(folder)
            status, detail = conn.append(folder, None, imaplib.Time2Internaldate(when), raw)
            assert status == "OK", detail
            conn.logout()


@dataclass
class ImapServer:
    """A running dovecot: where it listens, the CA its certificate is signed by."""

    root: Path
    ssl_port: int
    plain_port: int
    ca_file: str
    host: str = HOST

    def new_user(self, password: str | None = None) -> MailUser:
        """A user with an empty mailbox: a passwd-file of its own (dovecot looks a file up
        by the user's name; one shared file would be re-read at most once a second)."""
        username = f"u{secrets.token_hex(5)}@example.test"
        password = password or secrets.token_urlsafe(12)
        (self.root / "users" / username).write_text(f"{username}:{{PLAIN}}{password}\n",
                                                    encoding="utf-8")
        return MailUser(self, username, password)

    def ssl_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.ca_file)

    def connect(self) -> imaplib.IMAP4_SSL:
        return imaplib.IMAP4_SSL(self.host, self.ssl_port, ssl_context=self.ssl_context(), timeout=10)


def _wait_until_listening(ports: list[int], process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 15
    for port in ports:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"dovecot exited ({process.returncode}): "
                                   f"{log.read_text(errors='replace') if log.exists() else ''}")
            try:
                with socket.create_connection((HOST, port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"dovecot did not listen on {port} within 15 s") from None
                time.sleep(0.05)


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def _stop(process: subprocess.Popen) -> None:
    """Stop the master and wait until every process it started is gone: the master
    signals its children and exits without waiting for them."""
    children = _children(process.pid)
    process.terminate()
    for pid in children:  # at once: each would otherwise wait for its own shutdown timers
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    if process.stderr is not None:
        process.stderr.close()
    deadline = time.monotonic() + 10
    for pid in children:
        while Path(f"/proc/{pid}").exists():
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                break
            time.sleep(0.02)


def _dovecot_missing_reason() -> str | None:
    if os.path.exists(DOVECOT):
        return None
    reason = f"dovecot is not installed ({DOVECOT}): `apt-get install dovecot-imapd` runs the IMAP tests"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI requires it", pytrace=False)
    return reason


@pytest.fixture(scope="session")
def imap_server():
    """Start dovecot once for the session; stop it (and every process of it) at the end."""
    reason = _dovecot_missing_reason()
    if reason:
        pytest.skip(reason)
    # A short path of its own: dovecot's unix sockets live under base_dir (sun_path is
    # about 100 bytes), and its login processes (another user) must reach them.
    root = Path(tempfile.mkdtemp(prefix="finora-imap-"))
    root.chmod(0o755)
    for folder in ("run", "state", "mail", "users"):
        (root / folder).mkdir()
    _internal, _login, uid, gid = _accounts()
    os.chown(root / "mail", uid, gid)
    ca_file, cert, key = _write_certificates(root)
    ssl_port, plain_port = _free_port(), _free_port()
    conf = root / "dovecot.conf"
    conf.write_text(_config(root, ssl_port, plain_port, cert, key), encoding="utf-8")
    process = subprocess.Popen([DOVECOT, "-F", "-c", str(conf)], stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_until_listening([ssl_port, plain_port], process, root / "dovecot.log")
        yield ImapServer(root=root, ssl_port=ssl_port, plain_port=plain_port, ca_file=str(ca_file))
    finally:
        _stop(process)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def mail_user(imap_server) -> MailUser:
    """A fresh, empty mailbox for this test."""
    return imap_server.new_user()


def bank_message(*, sender: str = "alerts@bank.example", to: str = "family@example.test",
                 subject: str = "Saldo disponível", text: str | None = None,
                 html: str | None = None, date: datetime | None = None,
                 message_id: str | None = None) -> EmailMessage:
    """A bank e-mail: a text/plain body, an HTML body, or both (multipart/alternative)."""
    message = EmailMessage()
    message["From"] = f"Banco Exemplo <{sender}>"
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime((date or datetime.now(UTC)).astimezone(UTC))
    message["Message-ID"] = message_id or make_msgid(domain="bank.example")
    if text is not None:
        message.set_content(text)
        if html is not None:
            message.add_alternative(html, subtype="html")
    elif html is not None:
        message.set_content(html, subtype="html")
    else:
        raise ValueError("a message needs a text or an HTML body")
    return message
