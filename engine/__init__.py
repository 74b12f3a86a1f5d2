"""The deer-movement model: a pure, deterministic, explainable prediction engine.

``predict(request, enrichment, now)`` turns a place and time plus terrain, weather and
scouting data into a ``Prediction``. No I/O, no clock reads, no randomness.

An installed package normally runs this engine compiled by mypyc (see ``setup.py``);
``BUILD`` says which form was imported: ``"mypyc"`` or ``"python"``. Both give
byte-identical predictions (``tests/engine/test_compiled.py``).
"""

import importlib.machinery

from deerstream.engine import predict as _predict_module
from deerstream.engine.predict import MODEL_VERSION, predict

BUILD = (
    "mypyc"
    if (_predict_module.__file__ or "").endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))
    else "python"
)

__all__ = ["BUILD", "MODEL_VERSION", "predict"]
