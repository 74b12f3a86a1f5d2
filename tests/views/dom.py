"""A tiny HTML reader for the page tests: every element that carries ``data-kind``."""

from __future__ import annotations

from html.parser import HTMLParser


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if "data-kind" in found:
            self.elements.append({"tag": tag, **found})

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)


def data_elements(page: str, kind: str | None = None) -> list[dict[str, str]]:
    """Attributes (plus ``tag``) of each element with ``data-kind`` (== ``kind`` if given)."""
    collector = _Collector()
    collector.feed(page)
    collector.close()
    return [e for e in collector.elements if kind is None or e["data-kind"] == kind]
