"""Training and the model's life cycle: the registry of versions, retraining, the decisions
that feed it and the golden set that judges it.

``registry`` keeps every version and promotes by the golden set; ``retrain`` runs a training
and registers it (in the background for the app); ``decisions`` turns the office's final
decisions into training records; ``dataset`` reads the labelled records. The fitting itself
(``classifier/train.py``), the cross-validation (``classifier/crossval.py``) and the scorer
(``classifier/evaluation.py``) join this package later (issue 10's note).
"""
