"""What each endpoint says about itself for the OpenAPI document (docs/api.md, "OpenAPI").

Every view under /api/v1 carries one `@documented(...)`: its summary, its tag, the pydantic
model of its body (the same model `read_json` validates with), of its query parameters and
of its answer. `finora/api/openapi.py` builds the document from these and from the URL map,
so the document and the validation cannot disagree; a test fails for a view without one.

    @bp.get("/accounts/<int:account_id>")
    @documented(_l("One account"), tag="Accounts", response=AccountOut)
    def get_account(account_id): ...

`many=True`: the answer is a list envelope (`limit`/`offset` are added to the parameters);
`status`: the success status (201 for a creation, 204 for a DELETE without `response`).
Put it below the route and below any `@limiter.limit` (next to `@public`/`@personal`):
the attributes must land on the function before anything wraps it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

# Value types of answers, as they are written (serialize.py).
Money = Annotated[str, Field(pattern=r"^-?\d{1,15}\.\d{2}$", examples=["1500.00"])]
Day = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$", examples=["2026-01-31"])]
Stamp = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$",
                             examples=["2026-01-31T12:00:00Z"])]


class Out(BaseModel):
    """An answer's object: every field listed is always present (null only where the type
    says so); a field the code adds and the model lacks is a test failure, not a secret."""

    # defer_build: a model's validator and schema are built when first used (its endpoint's
    # first answer, the OpenAPI document), not at import: a worker starts without the ~90.
    model_config = ConfigDict(extra="forbid", defer_build=True)


@dataclass(frozen=True)
class Doc:
    summary: object  # a lazy string: the reference page reads it in the caller's language
    tag: str
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    many: bool = False
    status: int = 200
    description: object | None = None
    errors: tuple[int, ...] = ()  # statuses only this endpoint answers (502: a model failed)


def documented(summary, *, tag: str, body: type[BaseModel] | None = None,
               query: type[BaseModel] | None = None, response: type[BaseModel] | None = None,
               many: bool = False, status: int | None = None,
               description=None, errors: tuple[int, ...] = ()) -> Callable[[Callable], Callable]:
    """Attach the endpoint's description to its view (read by openapi.py)."""
    if status is None:
        status = 200 if response is not None else 204
    doc = Doc(summary=summary, tag=tag, body=body, query=query, response=response,
              many=many, status=status, description=description, errors=errors)

    def attach(view: Callable) -> Callable:
        view.api_doc = doc
        return view

    return attach
