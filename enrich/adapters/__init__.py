"""Upstream adapters. Each has the same shape: build the request → call → parse → map errors.

Building and parsing are pure functions (tested with hand-written fixtures in the real
APIs' documented shapes); the ``fetch_*`` coroutine is the only part doing I/O, through an
``UpstreamHttp`` that maps library errors into ``deerstream.errors``.
"""
