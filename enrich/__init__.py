"""Enrichment: terrain, weather and scouting data for prediction requests.

``Enricher`` is the facade the agent uses; ``RedisCache`` is the batched, outage-tolerant
byte cache it is built on (reusable for whole-prediction caching).
"""

from deerstream.enrich.cache import RedisCache
from deerstream.enrich.config import EnrichConfig, SourceTuning
from deerstream.enrich.enricher import Enricher

__all__ = ["EnrichConfig", "Enricher", "RedisCache", "SourceTuning"]
