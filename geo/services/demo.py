"""Use cases of setting up a database: create or upgrade it, load the Sơn La demo.

Both need the ``setup`` right (while a database has no accounts, the local
administrator has it). :mod:`geo.demo` builds the demo; :func:`geo.store.init_db`
migrates the schema and loads the registry.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from geo.auth import Principal, authorize
from geo.services.base import Progress, Request, plain

__all__ = ["DemoRequest", "DemoResult", "InitRequest", "InitResult", "build_demo",
           "demo_exists", "displayed_url", "init_database"]


@dataclass(frozen=True)
class InitRequest(Request):
    """Create or upgrade the database (nothing to choose)."""


@dataclass(frozen=True)
class InitResult:
    """A database ready for use: its URL (password hidden) and schema revision."""

    database: str
    revision: str | None

    def to_dict(self) -> dict:
        """Strict-JSON dict."""
        return plain({"database": self.database, "revision": self.revision})


def displayed_url(url: str) -> str:
    """The database URL with its password hidden."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def init_database(req: InitRequest, who: Principal, db: str | None = None,
                  progress: Progress = None) -> InitResult:
    """Create or upgrade the schema and load the registry (``setup``); safe to repeat.

    Raises
    ------
    PermissionDenied
        ``who`` may not set up the database.
    """
    from geo.store import current_revision, database_url, init_db

    authorize(who, "setup")
    req.check()
    url = database_url(db)
    init_db(url, progress=progress)
    return InitResult(displayed_url(url), current_revision(url))


@dataclass(frozen=True)
class DemoRequest(Request):
    """Load the Sơn La 2021–2025 demo province (nothing to choose)."""


@dataclass(frozen=True)
class DemoResult:
    """What the demo stored; ``created`` is ``False`` when it was there already."""

    created: bool
    legacy_polygons: int = 0
    polygons_2025: int = 0
    values: int = 0
    hotspots: int = 0
    facilities: int = 0

    def to_dict(self) -> dict:
        """Strict-JSON dict (only ``created`` when nothing was stored)."""
        if not self.created:
            return {"created": False}
        return plain(asdict(self))


def build_demo(req: DemoRequest, who: Principal, db: str | None = None,
               progress: Progress = None) -> DemoResult:
    """Load the demo province into ``db`` (``setup``); nothing changes when it is there.

    Raises
    ------
    PermissionDenied
        ``who`` may not set up the database.
    """
    from geo.demo import build_demo as build

    authorize(who, "setup")
    req.check()
    return DemoResult(**build(db, progress=progress, user=who.username))


def demo_exists(db: str | None = None) -> bool:
    """Whether the demo has been loaded into ``db`` (``False`` for an unusable database)."""
    from geo.demo import demo_exists as exists

    return exists(db)
