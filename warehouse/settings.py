"""Typed settings for paths and options, overridable by environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    """Where the warehouse and the demo data live."""

    db_path: Path
    demo_feed_dir: Path
    demo_truth_dir: Path

    @classmethod
    def from_env(cls) -> Settings:
        """Read settings from the environment (MARKET_DB, MARKET_DEMO_DIR), with project defaults."""
        demo_dir = Path(os.environ.get("MARKET_DEMO_DIR", PROJECT_ROOT / "data" / "demo"))
        db = Path(os.environ.get("MARKET_DB", PROJECT_ROOT / "data" / "market.duckdb"))
        return cls(db_path=db, demo_feed_dir=demo_dir / "feed", demo_truth_dir=demo_dir / "truth")


def get_settings() -> Settings:
    """Settings as the environment says now (read on every call, so tests can repoint them)."""
    return Settings.from_env()
