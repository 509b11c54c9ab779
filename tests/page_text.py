"""The text a person reads on a page: markup such as the `brl` filter's
`<span class="money">` must not change what a test compares, only what it shows."""

from __future__ import annotations

import html as html_lib
import re
from html.parser import HTMLParser

# Elements that never have an end tag (HTML void elements).
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def visible_text(fragment: str) -> str:
    """`fragment` without tags, entities decoded, runs of whitespace as one space."""
    text = html_lib.unescape(re.sub(r"<[^>]+>", "", fragment))
    return " ".join(text.split())


class _TestIdText(HTMLParser):
    """Collects the text inside the first element whose data-testid is `testid`."""

    def __init__(self, testid: str) -> None:
        super().__init__(convert_charrefs=True)
        self.testid = testid
        self.depth = 0  # > 0 while inside the wanted element
        self.found = False
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            return
        if self.depth:
            self.depth += 1
        elif not self.found and ("data-testid", self.testid) in attrs:
            self.found, self.depth = True, 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth and tag not in _VOID:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.parts.append(data)


def text_by_testid(page: str, testid: str) -> str:
    """The visible text of the element carrying `data-testid="testid"` (whole element)."""
    parser = _TestIdText(testid)
    parser.feed(page)
    parser.close()
    assert parser.found, f'no element with data-testid="{testid}"'
    return " ".join("".join(parser.parts).split())
