"""Subcommands of `python -m pipelines`, one module each with `register(subparsers)`."""
