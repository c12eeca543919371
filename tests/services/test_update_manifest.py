"""Version ordering and the manifest reader: what a manifest may say, and what refuses it."""

from __future__ import annotations

import copy
import json
import random
from datetime import date
from pathlib import Path

import pytest

from finora.services.updates.manifest import (
    MAX_MANIFEST_BYTES,
    ManifestError,
    WrongAppError,
    parse_manifest,
    release_entry,
)
from finora.services.updates.versions import (
    compare_versions,
    is_newer,
    is_version,
    parse_version,
)
from finora.version import __version__

BUNDLED = Path(__file__).resolve().parents[2] / "updates" / "manifest.json"
SHA = "ab" * 32


def manifest(**changes) -> dict:
    data = {
        "schema": 1,
        "app": "finora",
        "latest": "1.2.0",
        "releases": [
            {"version": "1.1.0", "date": "2026-11-01", "notes": {"en": "Old"}},
            {"version": "1.2.0", "date": "2026-12-01", "min_from": "1.0.0",
             "notes": {"en": "New", "pt": "Novo", "es": "Nuevo"},
             "package": {"url": "https://example.org/finora-1.2.0.tar.gz", "sha256": SHA,
                         "size": 1234, "signature": "c2ln"}},
            {"version": "1.3.0-beta.1", "notes": {"en": "Beta"}},
        ],
    }
    data.update(changes)
    return data


def encoded(data: dict) -> bytes:
    return json.dumps(data).encode()


# --- versions -----------------------------------------------------------------------------

def test_versions_sort_as_semantic_versioning_orders_them():
    ordered = ["0.9.9", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
               "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.2.0",
               "1.10.0", "2.0.0"]
    shuffled = ordered[:]
    random.Random(17).shuffle(shuffled)
    assert sorted(shuffled, key=parse_version) == ordered
    assert is_newer("1.10.0", "1.9.0")  # not compared as text
    assert compare_versions("1.3.0-beta.1", "1.3.0") == -1
    assert compare_versions("1.3.0", "1.3.0") == 0
    assert str(parse_version("1.3.0-beta.1")) == "1.3.0-beta.1"


@pytest.mark.parametrize("text", ["1.0", "v1.0.0", "01.0.0", "1.0.0-", "1.0.0+build",
                                  " 1.0.0", "1.0.0-01", "1.0.0.0", "", "1" * 80 + ".0.0"])
def test_malformed_versions_are_refused(text):
    assert not is_version(text)
    with pytest.raises(ValueError):
        parse_version(text)


# --- manifests ----------------------------------------------------------------------------

def test_the_bundled_manifest_is_valid():
    parsed = parse_manifest(BUNDLED.read_bytes())
    assert parsed.latest == __version__
    assert [r.version for r in parsed.releases] == [__version__, "0.1.0"]
    assert all(set(release.notes) == {"en", "pt", "es"} for release in parsed.releases)


def test_a_manifest_is_read_into_releases_newest_first():
    parsed = parse_manifest(encoded(manifest()))
    assert [r.version for r in parsed.releases] == ["1.3.0-beta.1", "1.2.0", "1.1.0"]
    beta, new, old = parsed.releases
    assert beta.channel == "beta"  # a pre-release defaults to the beta channel
    assert new.channel == old.channel == "stable"
    assert new.date == date(2026, 12, 1) and beta.date is None
    assert new.min_from == "1.0.0"
    assert new.package.url.endswith("1.2.0.tar.gz") and new.package.size == 1234
    assert new.package.sha256 == SHA
    assert old.package is None  # announced only
    assert new.notes_for("pt") == "Novo" and old.notes_for("pt") == "Old"
    assert parsed.newest_version == "1.3.0-beta.1"


def test_an_entry_round_trips_through_release_entry():
    parsed = parse_manifest(encoded(manifest()))
    again = parse_manifest(encoded(manifest(
        releases=[release_entry(r) for r in parsed.releases])))
    assert again == parsed


def test_upper_case_digests_are_stored_lower_case():
    data = manifest()
    data["releases"][1]["package"]["sha256"] = SHA.upper()
    assert parse_manifest(encoded(data)).releases[1].package.sha256 == SHA


def test_unknown_keys_are_ignored():
    data = manifest(published="2026-12-01")
    data["releases"][0]["security"] = True
    assert len(parse_manifest(encoded(data)).releases) == 3


def test_another_app_is_refused():
    with pytest.raises(WrongAppError):
        parse_manifest(encoded(manifest(app="someone-else")))
    with pytest.raises(WrongAppError):
        parse_manifest(encoded({k: v for k, v in manifest().items() if k != "app"}))


def _broken(path: str, value) -> dict:
    """The sample manifest with one value at a dotted path replaced (or removed)."""
    data = copy.deepcopy(manifest())
    *parents, last = path.split(".")
    target = data
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    if value is KeyError:
        del target[last]
    elif isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    return data


@pytest.mark.parametrize("path, value", [
    ("schema", 2), ("schema", "1"), ("schema", True), ("schema", 1.0), ("schema", KeyError),
    ("latest", "1.2"), ("latest", "9.9.9"), ("latest", 120),
    ("releases", {}), ("releases", KeyError),
    ("releases.0", "1.1.0"),
    ("releases.0.version", 110), ("releases.0.version", "1.1"), ("releases.0.version", KeyError),
    ("releases.0.date", "01/11/2026"), ("releases.0.date", "2026-02-30"), ("releases.0.date", 20261101),
    ("releases.0.channel", "nightly"), ("releases.2.channel", "stable"),
    ("releases.0.notes", "Old"), ("releases.0.notes.en", 5), ("releases.0.notes.english", "x"),
    ("releases.0.notes.en", "x" * 20_001),
    ("releases.1.min_from", "1"),
    ("releases.1.package", "https://example.org/p.tar.gz"),
    ("releases.1.package.url", KeyError), ("releases.1.package.url", 5),
    ("releases.1.package.sha256", "ab" * 31), ("releases.1.package.sha256", "zz" * 32),
    ("releases.1.package.size", "1234"), ("releases.1.package.size", 0),
    ("releases.1.package.size", True), ("releases.1.package.size", 12.5),
    ("releases.1.package.signature", KeyError), ("releases.1.package.signature", ""),
])
def test_a_wrong_type_or_value_refuses_the_whole_manifest(path, value):
    with pytest.raises(ManifestError) as caught:
        parse_manifest(encoded(_broken(path, value)))
    assert caught.value.detail


def test_a_version_listed_twice_is_refused():
    data = manifest()
    data["releases"].append({"version": "1.1.0"})
    with pytest.raises(ManifestError) as caught:
        parse_manifest(encoded(data))
    assert "twice" in caught.value.detail


@pytest.mark.parametrize("raw", [b"", b"{", b"[]", b'"finora"', b"\xff\xfe{}",
                                 b'{"schema": NaN}', b"[" * 100_000])
def test_malformed_json_is_refused(raw):
    with pytest.raises(ManifestError):
        parse_manifest(raw)


def test_an_oversized_manifest_is_refused_before_it_is_parsed():
    data = manifest()
    data["padding"] = "x" * MAX_MANIFEST_BYTES
    with pytest.raises(ManifestError) as caught:
        parse_manifest(encoded(data))
    assert "larger than" in caught.value.detail


def test_too_many_releases_are_refused():
    data = manifest(latest=None, releases=[{"version": f"1.0.{n}"} for n in range(501)])
    with pytest.raises(ManifestError):
        parse_manifest(encoded(data))
