"""Which role may make which request (finora.web.permissions.refusal), as a table."""

from __future__ import annotations

import pytest
from werkzeug.routing import Rule

from finora.web.permissions import OwnerOnlyError, ViewerRefusedError, refusal

LIST = Rule("/goals", methods=["GET"])
FORM = Rule("/goals/new", methods=["GET", "POST"])
DELETE = Rule("/goals/<int:goal_id>/delete", methods=["POST"])


@pytest.mark.parametrize(
    ("role", "blueprint", "method", "rule", "expected"),
    [
        ("owner", "goals", "POST", DELETE, None),
        ("owner", "household", "POST", FORM, None),
        ("editor", "goals", "POST", DELETE, None),
        ("editor", "goals", "GET", FORM, None),
        ("editor", "household", "GET", LIST, OwnerOnlyError),
        ("editor", "backups", "POST", DELETE, OwnerOnlyError),
        ("viewer", "goals", "GET", LIST, None),
        ("viewer", "goals", "HEAD", LIST, None),
        ("viewer", "goals", "GET", FORM, ViewerRefusedError),
        ("viewer", "goals", "POST", FORM, ViewerRefusedError),
        ("viewer", "goals", "POST", DELETE, ViewerRefusedError),
        ("viewer", "goals", "DELETE", DELETE, ViewerRefusedError),
        ("viewer", "household", "GET", LIST, OwnerOnlyError),
        ("auditor", "goals", "POST", DELETE, ViewerRefusedError),
        ("auditor", "goals", "GET", LIST, None),
    ],
)
def test_refusal(role, blueprint, method, rule, expected):
    error = refusal(role, blueprint, method, rule)
    if expected is None:
        assert error is None
    else:
        assert isinstance(error, expected) and error.status == 403
