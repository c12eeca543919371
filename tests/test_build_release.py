"""scripts/build_release.py, run as maintainers run it: the package it builds from a git
commit holds what it should, verifies against the key, and the app's check accepts the
manifest it signs."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from finora.extensions import db
from finora.services.updates.check import check_for_updates, update_status
from finora.services.updates.manifest import parse_manifest
from finora.services.updates.signing import (
    SignatureError,
    package_statement,
    parse_public_key,
    verify,
)
from tests.update_server import UpdateServer

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "build_release.py"
PO = """msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Language: pt\\n"

msgid "Save"
msgstr "Salvar"
"""


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=120)


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=T", "-c", "user.email=t@example.org",
                    *args], check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path) -> Path:
    """A small repository laid out like Finora's, with what must stay out of a package."""
    repo = tmp_path / "repo"
    files = {
        "app.py": "print('app')\n",
        "finora/__init__.py": "",
        "finora/version.py": '__version__ = "0.3.0"\n',
        "docs/updates.md": "# Updates\n",
        "translations/pt/LC_MESSAGES/messages.po": PO,
        "tests/test_app.py": "def test(): pass\n",
        "data/finora.db": "not code",
        ".env": "SECRET_KEY=x\n",
        "run.sh": "#!/bin/sh\n",
    }
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    (repo / "run.sh").chmod(0o755)
    os.symlink("app.py", repo / "link.py")
    git(repo, "init", "-q")
    git(repo, "add", "-A", "-f")
    git(repo, "commit", "-q", "-m", "release")
    (repo / "app.py").write_text("print('uncommitted')\n")  # HEAD is what ships
    (repo / "new.py").write_text("untracked\n")
    return repo


@pytest.fixture
def key(tmp_path) -> tuple[Path, str]:
    path = tmp_path / "release.pem"
    result = run("keygen", str(path))
    assert result.returncode == 0, result.stderr
    assert path.stat().st_mode & 0o777 == 0o600
    return path, result.stdout.strip()


def build(repo: Path, key_path: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    return run("package", "--key", str(key_path), "--repo", str(repo), "--out", str(out),
               "--url-base", "https://releases.example.org/finora/", *extra)


def test_the_package_holds_the_commit_minus_what_never_ships(repo, key, tmp_path):
    key_path, public = key
    out = tmp_path / "dist"
    result = build(repo, key_path, out, "--notes-en", "New", "--notes-pt", "Novo",
                   "--manifest", str(out / "manifest.json"))
    assert result.returncode == 0, result.stderr
    assert "link.py" in result.stderr  # said why it is missing
    package = out / "finora-0.3.0.tar.gz"
    with tarfile.open(package) as tar:
        members = {m.name: m for m in tar.getmembers()}
        assert sorted(members) == [
            "finora-0.3.0/app.py", "finora-0.3.0/docs/updates.md",
            "finora-0.3.0/finora/__init__.py", "finora-0.3.0/finora/version.py",
            "finora-0.3.0/run.sh", "finora-0.3.0/translations/pt/LC_MESSAGES/messages.mo",
            "finora-0.3.0/translations/pt/LC_MESSAGES/messages.po",
        ]
        assert tar.extractfile("finora-0.3.0/app.py").read() == b"print('app')\n"
        assert members["finora-0.3.0/run.sh"].mode == 0o755
        assert members["finora-0.3.0/app.py"].mode == 0o644
        assert all(m.isreg() and m.uname == "" for m in members.values())

    entry = json.loads(result.stdout)
    data = package.read_bytes()
    assert entry["version"] == "0.3.0" and entry["channel"] == "stable"
    assert entry["notes"] == {"en": "New", "pt": "Novo"}
    ref = entry["package"]
    assert ref["url"] == "https://releases.example.org/finora/finora-0.3.0.tar.gz"
    assert ref["sha256"] == hashlib.sha256(data).hexdigest() and ref["size"] == len(data)
    public_key = parse_public_key(public)
    verify(public_key, package_statement("0.3.0", ref["sha256"], ref["size"]), ref["signature"])
    with pytest.raises(SignatureError):  # bound to its version
        verify(public_key, package_statement("0.4.0", ref["sha256"], ref["size"]),
               ref["signature"])

    manifest = (out / "manifest.json").read_bytes()
    verify(public_key, manifest, (out / "manifest.json.sig").read_text())
    assert parse_manifest(manifest).releases[0].package.sha256 == ref["sha256"]


def test_the_same_commit_builds_the_same_bytes(repo, key, tmp_path):
    for out in ("a", "b"):
        assert build(repo, key[0], tmp_path / out).returncode == 0
    first, second = ((tmp_path / out / "finora-0.3.0.tar.gz").read_bytes() for out in "ab")
    assert first == second


def test_the_app_accepts_the_signed_manifest_and_offers_the_release(repo, key, tmp_path,
                                                                    app_factory):
    key_path, public = key
    out = tmp_path / "dist"
    assert build(repo, key_path, out, "--manifest", str(out / "manifest.json")).returncode == 0
    with UpdateServer() as server:
        server.put("/manifest.json", (out / "manifest.json").read_bytes())
        server.put("/manifest.json.sig", (out / "manifest.json.sig").read_bytes())
        application = app_factory(UPDATE_MANIFEST_URL=server.url("/manifest.json"),
                                  UPDATE_PUBLIC_KEY=public)
        with application.app_context():
            assert check_for_updates(db.session).ok
            status = update_status(db.session)
    assert status.available.version == "0.3.0" and status.can_apply


def test_a_second_release_is_added_and_the_manifest_signed_again(repo, key, tmp_path):
    key_path, public = key
    out = tmp_path / "dist"
    manifest = out / "manifest.json"
    assert build(repo, key_path, out, "--manifest", str(manifest)).returncode == 0
    (repo / "finora/version.py").write_text('__version__ = "0.4.0-beta.1"\n')
    git(repo, "commit", "-q", "-am", "beta")
    assert build(repo, key_path, out, "--manifest", str(manifest)).returncode == 0
    parsed = parse_manifest(manifest.read_bytes())
    assert [(r.version, r.channel) for r in parsed.releases] == [
        ("0.4.0-beta.1", "beta"), ("0.3.0", "stable")]
    assert parsed.latest == "0.3.0"  # the newest stable release
    verify(parse_public_key(public), manifest.read_bytes(),
           (out / "manifest.json.sig").read_text())


def test_refusals_exit_non_zero_with_one_line(repo, key, tmp_path):
    key_path, _public = key
    wrong = build(repo, key_path, tmp_path / "dist", "--version", "9.9.9")
    assert wrong.returncode == 2 and "9.9.9" in wrong.stderr
    not_a_key = tmp_path / "not-a-key.pem"
    not_a_key.write_text("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
    assert build(repo, not_a_key, tmp_path / "dist").returncode == 2
    again = run("keygen", str(key_path))
    assert again.returncode == 2 and "not overwritten" in again.stderr
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema": 1, "app": "other", "releases": []}')
    assert run("sign-manifest", "--key", str(key_path), str(bad)).returncode == 2
    assert not (tmp_path / "bad.json.sig").exists()


def test_help_documents_the_commands():
    result = run("--help")
    assert result.returncode == 0
    for command in ("keygen", "package", "sign-manifest"):
        assert command in result.stdout


def test_a_package_of_this_repository_passes_the_apply_s_staging(key, tmp_path):
    """The real code at HEAD, through the apply's own extraction checks."""
    from finora.services.updates.staging import stage_package

    result = run("package", "--key", str(key[0]), "--out", str(tmp_path / "dist"),
                 "--url-base", "https://releases.example.org/finora")
    assert result.returncode == 0, result.stderr
    (package,) = (tmp_path / "dist").glob("finora-*.tar.gz")
    root = stage_package(package, tmp_path / "staging", max_files=20_000,
                         max_bytes=1024 * 1024 * 1024)
    assert (root / "app.py").is_file() and (root / "finora" / "version.py").is_file()
    assert (root / "translations" / "pt" / "LC_MESSAGES" / "messages.mo").is_file()
    assert not (root / "tests").exists() and not (root / ".env").exists()
