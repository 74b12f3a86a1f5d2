"""Topic settings for the topics tests create."""

from __future__ import annotations

#: Keep every record whatever its timestamp. Kafka's time retention goes by the record's own
#: timestamp; the suite stamps requests in November 2026, so with the broker's 7-day
#: retention a retention check (every 5 minutes) could delete them in the middle of a test
#: (a CLI test once read 16 of the 20 requests it had just produced).
KEEP_EVERYTHING = {"retention.ms": "-1"}
