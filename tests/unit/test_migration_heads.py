"""The code's migration heads, read from the files' text (a worker starts without alembic),
are what alembic's ScriptDirectory finds: on this code's migrations, on branches and merges,
and by alembic itself when a file does not name its revisions plainly."""

from __future__ import annotations

from pathlib import Path

import pytest

from finora.services.system import schema


def _alembic(folder: Path) -> tuple[tuple[str, ...], frozenset[str]]:
    return schema._revisions_by_alembic(str(folder))


def _folder(tmp_path: Path, files: dict[str, str]) -> Path:
    versions = tmp_path / "migrations" / "versions"
    versions.mkdir(parents=True)
    for name, header in files.items():
        (versions / name).write_text(
            f'"""A migration.\n\nRevision ID: x\nRevises: y\n"""\n{header}\n'
            "branch_labels = None\ndepends_on = None\n\n\n"
            "def upgrade():\n    revision = 'not this one'\n\n\ndef downgrade():\n    pass\n"
        )
    return versions.parent


def test_this_codes_migrations_read_as_alembic_reads_them():
    assert schema._read_links(schema.DEFAULT_MIGRATIONS / "versions") is not None
    assert schema._revisions(str(schema.DEFAULT_MIGRATIONS)) == _alembic(schema.DEFAULT_MIGRATIONS)


@pytest.mark.parametrize("files", [
    pytest.param({"1_a.py": "revision = 'a'\ndown_revision = None",
                  "2_b.py": 'revision: str = "b"\ndown_revision: str | None = "a"',
                  "3_c.py": "revision = 'c'\ndown_revision = 'a'"}, id="two heads"),
    pytest.param({"1_a.py": "revision = 'a'\ndown_revision = None",
                  "2_b.py": "revision = 'b'\ndown_revision = 'a'",
                  "3_c.py": "revision = 'c'\ndown_revision = 'a'",
                  "4_m.py": "revision = 'm'\ndown_revision = ('b', 'c')"}, id="a merge"),
])
def test_branches_and_merges_read_as_alembic_reads_them(tmp_path, files):
    folder = _folder(tmp_path, files)
    assert schema._read_links(folder / "versions") is not None
    assert schema._revisions(str(folder)) == _alembic(folder)


def test_a_file_that_does_not_say_its_revisions_plainly_is_left_to_alembic(tmp_path):
    folder = _folder(tmp_path, {
        "1_a.py": "revision = 'a'\ndown_revision = None",
        "2_b.py": "revision = 'b'\ndown_revision = 'a'",
        "3_c.py": "revision = 'c'\ndown_revision = 'a'",
        "4_m.py": "revision = 'm'\ndown_revision = (\n    'b',\n    'c',\n)",
    })
    assert schema._read_links(folder / "versions") is None
    assert schema._revisions(str(folder)) == (("m",), frozenset("abcm"))
