"""Pipelines: the demo market generator, features, risk scores, evaluation and exports."""
