"""dingmi (定密助手): suggest the level, secrecy period and catalogue clause of a draft.

The public API; anything not listed in ``__all__`` may change without notice. Imports are
lazy so that ``import classifier`` does no work (no jieba, no numpy, no file I/O).
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "extract_text": "classifier.extract",
    "extract_bytes": "classifier.extract",
    "ExtractedText": "classifier.extract.result",
    "Catalogue": "classifier.catalogue",
    "Clause": "classifier.catalogue",
    "Level": "classifier.catalogue",
    "load_catalogue": "classifier.catalogue",
    "format_mark": "classifier.catalogue",
    "Classifier": "classifier.engine",
    "Suggestion": "classifier.engine",
    "Suggester": "classifier.suggest",
    "train": "classifier.train",
    "TrainReport": "classifier.train",
    "Registry": "classifier.training.registry",
    "retrain": "classifier.training.retrain",
    "Settings": "classifier.config",
    "ClassifierError": "classifier.errors",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'classifier' has no attribute {name!r}")
