"""Reading a page's form as a browser would submit it (the load test's sign-in and entry
forms): hidden fields (the CSRF and form tokens) included, no JavaScript needed."""

from __future__ import annotations

from html.parser import HTMLParser


class _Forms(HTMLParser):
    """Every <form> of a page: its action and the values a browser would submit."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"action": a.get("action") or "", "fields": {}, "options": {}}
            self.forms.append(self._form)
            return
        form = self._form
        if form is None or tag not in ("input", "select", "option", "textarea"):
            return
        if tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            form["fields"][a["name"]] = a.get("value") or ("y" if kind == "checkbox" else "")
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            form["options"][self._select] = []
            form["fields"].setdefault(self._select, None)
        elif tag == "option" and self._select:
            value = a.get("value") or ""
            form["options"][self._select].append(value)
            if "selected" in a or form["fields"][self._select] is None:
                form["fields"][self._select] = value
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            form["fields"][self._textarea] = ""

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            self._form["fields"][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def form_with(html: str, field: str) -> dict:
    """The fields (and select options) of the page's first form that has `field`."""
    parser = _Forms()
    parser.feed(html)
    for form in parser.forms:
        if field in form["fields"]:
            fields = {k: v for k, v in form["fields"].items() if v is not None}
            return {"fields": fields, "options": form["options"]}
    raise LookupError(f"no form with a {field!r} field on the page")


def letters(number: int) -> str:
    """A number written in letters (0 -> "a", 27 -> "bb"): an imported row's description is
    compared without its digits (finora/services/imports/keys.py), so rows meant to differ
    must differ in letters."""
    word = ""
    while True:
        number, digit = divmod(number, 26)
        word = "abcdefghijklmnopqrstuvwxyz"[digit] + word
        if number == 0:
            return word
