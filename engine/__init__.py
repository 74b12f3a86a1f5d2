"""The deer-movement model: a pure, deterministic, explainable prediction engine.

``predict(request, enrichment, now)`` turns a place and time plus terrain, weather and
scouting data into a ``Prediction``. No I/O, no clock reads, no randomness.
"""

from deerstream.engine.predict import MODEL_VERSION, predict

__all__ = ["MODEL_VERSION", "predict"]
