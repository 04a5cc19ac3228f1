"""Benchmarks of every stage, beside DuckDB's floor and a pandas peer: `python -m pipelines bench`.

Modules: `sizes` (market sizes and the generator parameters behind them), `measure` (one task
in a fresh child process: wall and CPU seconds, peak RSS), `child` (what the child runs),
`pandas_peer` (the merchant features as an analyst would write them in pandas), `pages` (the
dashboard timed through AppTest), `harness` (the whole benchmark), `report` (table and docs).
"""
