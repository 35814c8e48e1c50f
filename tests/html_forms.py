"""What a browser sends when a page's form is submitted: every control, empty or not (STACK-NOTES #20).

`form_query(html, selector_id)` reads the form out of the rendered page with the standard library's parser and
returns the (name, value) pairs (of the page's first GET form when no id is given, the navigation's search aside) in document order, as a browser would build the query: text, date and hidden
inputs always (empty or not), checkboxes only when checked, a single select its selected (else first) option,
a multiple select its selected options. `choose` replaces a control's value, as picking it on the page would."""

from __future__ import annotations

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self, form_id: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.done = False
        self.pairs: list[tuple[str, str]] = []
        self._select: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and not self.inside and not self.done and self._wanted(a):
            self.inside = True
            return
        if not self.inside:
            return
        if tag == "input" and a.get("name") and "disabled" not in a:
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "reset", "file", "image"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.pairs.append((a["name"], a.get("value") or ("on" if kind == "checkbox" else "")))
        elif tag == "select" and a.get("name"):
            self._select = {"name": a["name"], "multiple": "multiple" in a, "options": [], "selected": []}
        elif tag == "option" and self._select is not None:
            value = a.get("value") or ""
            self._select["options"].append(value)
            if "selected" in a:
                self._select["selected"].append(value)

    def _wanted(self, attrs: dict) -> bool:
        if self.form_id is None:  # the page's first filter form: method GET, not the navigation's search
            return (attrs.get("method") or "get").lower() == "get" and attrs.get("role") != "search"
        return attrs.get("id") == self.form_id

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None:
            s = self._select
            values = s["selected"] if s["multiple"] else (s["selected"][-1:] or s["options"][:1])
            self.pairs.extend((s["name"], v) for v in values)
            self._select = None
        elif tag == "form" and self.inside:
            self.inside = False
            self.done = True  # read only the first matching form


def form_query(html: str, form_id: str | None = None, **choose) -> dict[str, list[str]]:
    reader = _FormReader(form_id)
    reader.feed(html)
    query: dict[str, list[str]] = {}
    for name, value in reader.pairs:
        query.setdefault(name, []).append(value)
    assert query or choose, f"no form {form_id!r} with named controls on the page"
    for name, value in choose.items():
        query[name] = value if isinstance(value, list) else [str(value)]
    return query
