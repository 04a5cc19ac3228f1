"""Typed settings for paths and options, overridable by environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    """Where the warehouse, the access store and the demo data live."""

    db_path: Path
    demo_feed_dir: Path
    demo_truth_dir: Path
    # Accounts and the audit log: not in the warehouse, which every load replaces wholesale.
    access_db_path: Path = PROJECT_ROOT / "data" / "access.sqlite"

    @classmethod
    def from_env(cls) -> Settings:
        """Read settings from the environment (MARKET_DB, MARKET_ACCESS_DB, MARKET_DEMO_DIR), with project defaults.

        The access store defaults to `access.sqlite` beside the warehouse file.
        """
        demo_dir = Path(os.environ.get("MARKET_DEMO_DIR", PROJECT_ROOT / "data" / "demo"))
        db = Path(os.environ.get("MARKET_DB", PROJECT_ROOT / "data" / "market.duckdb"))
        access = Path(os.environ.get("MARKET_ACCESS_DB", db.parent / "access.sqlite"))
        return cls(
            db_path=db,
            demo_feed_dir=demo_dir / "feed",
            demo_truth_dir=demo_dir / "truth",
            access_db_path=access,
        )


def get_settings() -> Settings:
    """Settings as the environment says now (read on every call, so tests can repoint them)."""
    return Settings.from_env()
