"""Build and sign a Finora release package and its manifest (maintainers; docs/updates.md).

    # once: a release key pair (keep the private half off the server and out of the repo)
    .venv/bin/python scripts/build_release.py keygen ~/finora-release.pem

    # each release: the package from the commit, its manifest entry, the signed manifest
    .venv/bin/python scripts/build_release.py package --key ~/finora-release.pem \\
        --url-base https://releases.example.org/finora --out dist \\
        --notes-en "What changed" --notes-pt "O que mudou" --notes-es "Qué cambió" \\
        --manifest dist/manifest.json

    # after editing a manifest by hand: validate it and sign it again
    .venv/bin/python scripts/build_release.py sign-manifest --key ~/finora-release.pem dist/manifest.json

The package is a .tar.gz of the files git tracks at the commit (`git archive`, so nothing
uncommitted or ignored gets in) under one top folder finora-<version>/, minus tests/,
data/, .env and .venv, plus the compiled translation catalogues (.mo, not tracked). It is
reproducible: sorted members, the commit's time, no owner names. Links in the repository
are left out (an update never installs one). Its signature signs the statement
signing.package_statement(version, sha256, size); the version is the one in
finora/version.py at that commit. The manifest's signature (`<manifest>.sig`, base64) signs
the manifest file's exact bytes: upload both, unchanged, next to each other.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tarfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402

from finora.services.updates import signing  # noqa: E402
from finora.services.updates.manifest import (  # noqa: E402
    ManifestError,
    parse_manifest,
    release_entry,
)
from finora.services.updates.release import PackageRef, Release  # noqa: E402
from finora.services.updates.versions import is_version, parse_version  # noqa: E402

# Never shipped: the tests, local state and secrets (the apply also protects the last three).
EXCLUDED_DIRS = ("tests", "data", ".venv", ".git")
EXCLUDED_FILES = (".env",)
_VERSION_LINE = re.compile(r"""^__version__\s*=\s*["']([^"']+)["']""", re.MULTILINE)


class BuildError(Exception):
    """What the maintainer must fix; printed as one line, exit status 2."""


def _git(repo: Path, *args: str) -> bytes:
    try:
        return subprocess.run(["git", "-C", str(repo), *args], check=True,  # noqa: S603, S607 - the maintainer's git
                              capture_output=True).stdout
    except FileNotFoundError as error:
        raise BuildError("git is not installed.") from error
    except subprocess.CalledProcessError as error:
        raise BuildError(f"git {' '.join(args)}: {error.stderr.decode(errors='replace').strip()}"
                         ) from error


def code_version(repo: Path, ref: str) -> str:
    text = _git(repo, "show", f"{ref}:finora/version.py").decode()
    match = _VERSION_LINE.search(text)
    if not match or not is_version(match.group(1)):
        raise BuildError(f"finora/version.py at {ref} has no __version__ like 1.2.3.")
    return match.group(1)


def _excluded(path: str) -> bool:
    first = path.split("/", 1)[0]
    return (first in EXCLUDED_DIRS and "/" in path) or path in EXCLUDED_FILES


def _compiled_catalogues(members: dict[str, bytes]) -> dict[str, bytes]:
    """translations/<lang>/LC_MESSAGES/messages.mo for every tracked .po."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    compiled = {}
    for name, data in members.items():
        if name.startswith("translations/") and name.endswith(".po"):
            catalog = read_po(io.BytesIO(data))
            out = io.BytesIO()
            write_mo(out, catalog)
            compiled[name[:-3] + ".mo"] = out.getvalue()
    return compiled


def build_package(repo: Path, ref: str, out_dir: Path, *, log=print) -> tuple[Path, str]:
    """Write finora-<version>.tar.gz into out_dir; returns (path, version)."""
    version = code_version(repo, ref)
    commit_time = int(_git(repo, "log", "-1", "--format=%ct", ref).decode().strip())
    archive = _git(repo, "archive", "--format=tar", ref)
    files: dict[str, tuple[bytes, int]] = {}
    skipped_links = []
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:") as source:
        for member in source:
            if member.isdir() or _excluded(member.name):
                continue
            if not member.isreg():
                skipped_links.append(member.name)
                continue
            mode = 0o755 if member.mode & 0o100 else 0o644
            files[member.name] = (source.extractfile(member).read(), mode)
    for path in ("app.py", "finora/__init__.py"):
        if path not in files:
            raise BuildError(f"{path} is not tracked at {ref}: not a Finora repository.")
    for name, data in _compiled_catalogues({k: v for k, (v, _) in files.items()}).items():
        files.setdefault(name, (data, 0o644))
    for name in skipped_links:
        log(f"left out (a link): {name}", file=sys.stderr)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"finora-{version}.tar.gz"
    top = f"finora-{version}"
    with open(target, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw,
                                                  mtime=commit_time) as zipped, \
            tarfile.open(fileobj=zipped, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name in sorted(files):
            data, mode = files[name]
            info = tarfile.TarInfo(f"{top}/{name}")
            info.size, info.mode, info.mtime = len(data), mode, commit_time
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(data))
    return target, version


def describe_package(path: Path, version: str, key: Ed25519PrivateKey, url: str) -> PackageRef:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    sha256, size = digest.hexdigest(), path.stat().st_size
    signature = signing.sign(key, signing.package_statement(version, sha256, size))
    return PackageRef(url=url, sha256=sha256, size=size, signature=signature)


def add_to_manifest(path: Path, release: Release) -> None:
    """Add (or replace) the release in the manifest file, keep "latest" the newest stable
    release, validate the result and write it; the caller signs it afterwards."""
    if path.exists():
        data = json.loads(path.read_text(encoding="utf-8"))
    else:
        data = {"schema": 1, "app": "finora", "releases": []}
    releases = [entry for entry in data.get("releases", [])
                if entry.get("version") != release.version]
    releases.append(release_entry(release))
    releases.sort(key=lambda entry: parse_version(entry["version"]), reverse=True)
    data["releases"] = releases
    stable = [e["version"] for e in releases
              if e.get("channel", "beta" if parse_version(e["version"]).is_prerelease
                       else "stable") == "stable"]
    data["latest"] = stable[0] if stable else releases[0]["version"]
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    parse_manifest(text.encode())  # refuse to write a manifest the app would refuse
    path.write_text(text, encoding="utf-8")


def sign_manifest(path: Path, key: Ed25519PrivateKey) -> Path:
    raw = path.read_bytes()
    parse_manifest(raw)
    signature_path = path.with_name(path.name + ".sig")
    signature_path.write_text(signing.sign(key, raw) + "\n", encoding="ascii")
    return signature_path


def _load_key(path: str) -> Ed25519PrivateKey:
    try:
        return signing.load_private_key(Path(path))
    except (OSError, ValueError, signing.PublicKeyError) as error:
        raise BuildError(f"{path}: not a readable Ed25519 private key (PEM): {error}") from error


def _keygen(args) -> None:
    target = Path(args.private_key)
    if target.exists():
        raise BuildError(f"{target} exists: not overwritten.")
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    print(signing.public_key_text(key.public_key()))
    print(f"Private key written to {target} (keep it secret). The line above is the public "
          "key: updates/release-key.pub, or UPDATE_PUBLIC_KEY for a channel of your own.",
          file=sys.stderr)


def _package(args) -> None:
    key = _load_key(args.key)
    path, version = build_package(Path(args.repo), args.ref, Path(args.out))
    if args.version and args.version != version:
        raise BuildError(f"--version {args.version} but finora/version.py says {version}.")
    url = f"{args.url_base.rstrip('/')}/{path.name}"
    package = describe_package(path, version, key, url)
    notes = {lang: text for lang, text in (("en", args.notes_en), ("pt", args.notes_pt),
                                           ("es", args.notes_es)) if text}
    prerelease = parse_version(version).is_prerelease
    release = Release(version=version, date=date.fromisoformat(args.date) if args.date
                      else date.today(), channel=args.channel or
                      ("beta" if prerelease else "stable"), notes=notes, package=package,
                      min_from=args.min_from)
    entry = release_entry(release)
    # What the app will read back: a bad channel or min_from fails here, not on servers.
    parse_manifest(json.dumps({"schema": 1, "app": "finora", "releases": [entry]}).encode())
    print(json.dumps(entry, indent=2, ensure_ascii=False))
    print(f"Package: {path} ({package.size} bytes); upload it to {url}", file=sys.stderr)
    if args.manifest:
        manifest = Path(args.manifest)
        add_to_manifest(manifest, release)
        signature = sign_manifest(manifest, key)
        print(f"Manifest: {manifest} and {signature}; upload both, unchanged.", file=sys.stderr)


def _sign_manifest(args) -> None:
    signature = sign_manifest(Path(args.manifest), _load_key(args.key))
    print(f"Signed: {signature}", file=sys.stderr)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="build_release.py", description=__doc__.split("\n\n")[0],
        epilog="See docs/updates.md, 'Releasing'.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = top.add_subparsers(dest="command", required=True)

    keygen = commands.add_parser("keygen", help="make a release key pair")
    keygen.add_argument("private_key", help="where to write the PEM private key (mode 0600)")
    keygen.set_defaults(run=_keygen)

    package = commands.add_parser(
        "package", help="build finora-<version>.tar.gz at a commit, sign it, print its "
                        "manifest entry (and add it to a manifest, signed, with --manifest)")
    package.add_argument("--key", required=True, help="the PEM Ed25519 private key")
    package.add_argument("--url-base", required=True,
                         help="where the package will be served (https://…); the file "
                              "name is appended")
    package.add_argument("--repo", default=str(ROOT), help="the git repository (this one)")
    package.add_argument("--ref", default="HEAD", help="the commit or tag to package (HEAD)")
    package.add_argument("--out", default="dist", help="the folder to write into (dist)")
    package.add_argument("--version", help="refuse unless finora/version.py says this")
    package.add_argument("--channel", choices=("stable", "beta"),
                         help="default: beta for a pre-release (1.3.0-beta.1), else stable")
    package.add_argument("--date", help="YYYY-MM-DD (today)")
    package.add_argument("--min-from", help="the oldest installed version it may update")
    package.add_argument("--notes-en", help="release notes in English")
    package.add_argument("--notes-pt", help="release notes in Portuguese")
    package.add_argument("--notes-es", help="release notes in Spanish")
    package.add_argument("--manifest",
                         help="a manifest file to add the release to (created when missing) "
                              "and sign (<manifest>.sig)")
    package.set_defaults(run=_package)

    sign = commands.add_parser("sign-manifest",
                               help="validate a manifest file and write <manifest>.sig")
    sign.add_argument("--key", required=True, help="the PEM Ed25519 private key")
    sign.add_argument("manifest")
    sign.set_defaults(run=_sign_manifest)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        args.run(args)
    except (BuildError, ManifestError, ValueError, OSError) as error:
        detail = getattr(error, "detail", None)
        print(f"build_release: {detail or error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
