"""Presentation: pure renderers that turn published predictions into pages for people.

Nothing here does I/O or reads a clock; the same prediction always renders to the same bytes.
"""

from deerstream.views.page import render_index_page, render_prediction_page

__all__ = ["render_index_page", "render_prediction_page"]
