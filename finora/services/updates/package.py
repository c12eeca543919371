"""A release package: downloaded to <DATA_DIR>/updates/ as a ".part" file, then checked
(signature, size, sha256) and renamed to its final name only when all three pass.

The signature is checked first, over the statement binding version, sha256 and size
(signing.package_statement): it needs no read of the file, so a manifest entry the release
key did not sign is refused before a byte is downloaded. The file must then be exactly
that size and hash; anything else is deleted, never left looking like a package."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from config import private_dir
from finora.services.updates import fetch, signing
from finora.services.updates.errors import UpdateError
from finora.services.updates.release import Release
from finora.translation import lazy_gettext as _l

UPDATES_FOLDER = "updates"
_CHUNK = 1024 * 1024
# A version as the manifest parser accepts it; never a path separator in a file name.
_SAFE_VERSION = re.compile(r"^[0-9A-Za-z.-]{1,64}$")


class PackageMissingError(UpdateError):
    message = _l("This release has no package to apply.")
    reason = "no_package"


class PackageSizeError(UpdateError):
    message = _l("The downloaded package does not have the size its release states: it was refused.")
    reason = "size"


class PackageChecksumError(UpdateError):
    message = _l("The downloaded package does not match its checksum (sha256): it was refused.")
    reason = "checksum"


class PackageDownloadError(UpdateError):
    message = _l("The package could not be downloaded.")
    reason = "download"


def updates_dir(data_dir: Path) -> Path:
    """<DATA_DIR>/updates, owner-only: packages, staging folders, rollback copies, the lock."""
    folder = private_dir(Path(data_dir) / UPDATES_FOLDER)
    os.chmod(folder, 0o700)
    return folder


def package_name(release: Release) -> str:
    if not _SAFE_VERSION.match(release.version or ""):
        raise PackageMissingError()
    return f"finora-{release.version}.tar.gz"


def verify_statement(release: Release, key) -> None:
    """SignatureError unless the release key signed this release's version, sha256, size."""
    ref = release.package
    if ref is None:
        raise PackageMissingError()
    signing.verify(key, signing.package_statement(release.version, ref.sha256, ref.size), ref.signature)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def verify_file(release: Release, path: Path) -> None:
    """The file is exactly the signed size and sha256."""
    ref = release.package
    if ref is None:
        raise PackageMissingError()
    if path.stat().st_size != ref.size:
        raise PackageSizeError()
    if file_sha256(path) != ref.sha256.lower():
        raise PackageChecksumError()


def fetch_package(
    release: Release, folder: Path, *, key, max_bytes: int, timeout: int, download=None
) -> Path:
    """Download the release's package into `folder` and return its verified final path.
    Raises SignatureError, PackageSizeError, PackageChecksumError or an UpdateError from
    the download; in every case no .part and no final file is left."""
    verify_statement(release, key)
    ref = release.package
    if ref is None:
        raise PackageMissingError()
    if ref.size > max_bytes:
        raise PackageSizeError()
    download = download or fetch.download
    final = folder / package_name(release)
    part = folder / f".{final.name}.part"
    for stale in (part, final):
        stale.unlink(missing_ok=True)
    try:
        # One byte over the signed size is enough to know it is wrong.
        try:
            download(ref.url, part, max_bytes=ref.size + 1, timeout=timeout)
        except fetch.TooLargeError as error:
            raise PackageSizeError() from error
        if not part.is_file():
            raise PackageDownloadError()
        verify_file(release, part)
        os.chmod(part, 0o600)
        os.replace(part, final)
    except UpdateError:
        part.unlink(missing_ok=True)
        raise
    except OSError as error:
        part.unlink(missing_ok=True)
        raise PackageDownloadError() from error
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return final
