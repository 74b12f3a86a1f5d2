"""Enrichment: terrain, weather and scouting data for prediction requests.

``Enricher`` is the facade the agent uses; ``RedisCache`` is the batched, outage-tolerant
byte cache it is built on (reusable for whole-prediction caching).
"""

from enrich.cache import RedisCache
from enrich.config import EnrichConfig, SourceTuning
from enrich.enricher import Enricher

__all__ = ["EnrichConfig", "Enricher", "RedisCache", "SourceTuning"]
