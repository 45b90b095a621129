"""Use cases of setting up a database: create or upgrade it, load or rebuild the demo.

All need the ``setup`` right (while a database has no accounts, the local
administrator has it). :mod:`geo.demo` builds the demo; :func:`geo.store.init_db`
migrates the schema and loads the registry.

Rebuilding the demo (``diaban demo --reset``) replaces data, so it is asked in two
steps: :func:`reset_plan` names every import batch of the demo province a rebuild
would undo (the demo's own load and later imports into the province), and
:func:`build_demo` with ``DemoRequest(reset=True, batches=…)`` undoes exactly those
and writes the demo anew in one transaction — refusing, with nothing changed, when
the province's batches are no longer the ones confirmed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Self

import pandas as pd

from geo.auth import Principal, authorize
from geo.errors import ValidationError
from geo.i18n import fmt_number, tr
from geo.services.base import Progress, Request, plain, transaction

__all__ = ["DemoRequest", "DemoResult", "InitRequest", "InitResult", "ResetPlan",
           "build_demo", "demo_exists", "displayed_url", "init_database", "reset_plan"]


def _lang(lang: object) -> str:
    return "en" if lang == "en" else "vi"


@dataclass(frozen=True)
class InitRequest(Request):
    """Create or upgrade the database.

    Attributes
    ----------
    lang : {"vi", "en"}
        Language of the progress messages.
    """

    lang: str = "vi"

    def check(self) -> Self:
        """Only the language to settle."""
        return replace(self, lang=_lang(self.lang))


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
    req = req.check()
    url = database_url(db)
    init_db(url, progress=None if progress is None else lambda f, m: progress(f, tr(
        "Nạp danh mục đơn vị hành chính", "Loading the units registry", req.lang)))
    return InitResult(displayed_url(url), current_revision(url))


@dataclass(frozen=True)
class DemoRequest(Request):
    """Load the Sơn La 2021–2025 demo province, or rebuild it.

    Attributes
    ----------
    reset : bool
        Rebuild the demo: undo the batches of :func:`reset_plan` and load it anew.
    batches : tuple of int, optional
        With ``reset``: the batches the person confirmed (from :func:`reset_plan`);
        the rebuild refuses when the province's active batches are no longer these.
        ``None``: whatever the plan is now (``diaban demo --reset --yes``).
    lang : {"vi", "en"}
        Language of the progress messages.
    """

    reset: bool = False
    batches: tuple[int, ...] | None = None
    lang: str = "vi"

    def check(self) -> Self:
        """Batches only with a reset, as whole numbers."""
        if self.batches is not None and not self.reset:
            raise ValueError("batches are confirmed for a reset only")
        try:
            batches = None if self.batches is None else tuple(int(b) for b in self.batches)
        except (TypeError, ValueError):
            raise ValidationError("Số lần nhập phải là số nguyên.",
                                  "Batch numbers must be whole numbers.") from None
        return replace(self, reset=bool(self.reset), batches=batches, lang=_lang(self.lang))


@dataclass(frozen=True)
class DemoResult:
    """What the demo stored; ``created`` is ``False`` when it was there already.

    ``undone`` lists the batches a reset undid.
    """

    created: bool
    legacy_polygons: int = 0
    polygons_2025: int = 0
    values: int = 0
    hotspots: int = 0
    facilities: int = 0
    undone: list[int] = field(default_factory=list)

    def to_dict(self) -> dict:
        """Strict-JSON dict (only ``created`` when nothing was stored)."""
        if not self.created:
            return {"created": False}
        return plain(asdict(self))


@dataclass
class ResetPlan:
    """What rebuilding the demo would replace.

    Attributes
    ----------
    province_code : str
        The demo province.
    batches : pandas.DataFrame
        Active batches of the province, oldest first (``id, kind, file, user,
        created_at, rows``): all undone by a rebuild.
    """

    province_code: str
    batches: pd.DataFrame

    @property
    def ids(self) -> tuple[int, ...]:
        """The batch numbers, to confirm in :class:`DemoRequest`."""
        return tuple(int(b) for b in self.batches.id)

    def to_dict(self) -> dict:
        """Strict-JSON form."""
        return {"province_code": self.province_code, "batches": plain(self.batches)}

    def message(self, lang: str = "vi") -> str:
        """What a rebuild does, to ask first."""
        from geo.vocab import IMPORT_KINDS

        lines = []
        for r in self.batches.itertuples():
            when = pd.Timestamp(r.created_at).strftime("%d/%m/%Y %H:%M")
            rows = "" if r.rows is None or r.rows != r.rows else tr(
                f", {fmt_number(r.rows, 'vi')} dòng", f", {fmt_number(r.rows, 'en')} rows", lang)
            lines.append(f"  • {tr('Lần nhập số', 'Batch', lang)} {r.id}: "
                         f"{IMPORT_KINDS.label(r.kind, lang)}, «{r.file or ''}» "
                         f"({r.user}, {when} UTC{rows})")
        head = tr("Dựng lại dữ liệu minh họa tỉnh Sơn La: nạp lại ranh giới, số liệu, địa bàn "
                  "trọng điểm và cơ sở minh họa.",
                  "Rebuild the Sơn La demo: load its boundaries, figures, hotspot communes and "
                  "facilities again.", lang)
        if not lines:
            return head + " " + tr("Không có lần nhập nào đang dùng của tỉnh này phải hoàn "
                                   "tác.", "No import of this province in use has to be "
                                   "undone.", lang)
        return "\n".join([head + " " + tr(
            f"Các lần nhập đang dùng của tỉnh sẽ được hoàn tác ({len(lines)}):",
            f"These imports of the province in use will be undone ({len(lines)}):", lang),
            *lines])


def reset_plan(who: Principal, db: str | None = None) -> ResetPlan:
    """Name the batches a rebuild of the demo would undo; nothing changes (``setup``).

    Raises
    ------
    PermissionDenied
        ``who`` may not set up the database.
    """
    from geo.demo import DEMO_PROVINCE, reset_batches

    authorize(who, "setup")
    with transaction(db) as s:
        rows = [{"id": b.id, "kind": b.kind, "file": b.file_name, "user": b.username,
                 "created_at": b.created_at, "rows": b.n_rows} for b in reset_batches(s)]
    return ResetPlan(DEMO_PROVINCE, pd.DataFrame(
        rows, columns=["id", "kind", "file", "user", "created_at", "rows"]))


def build_demo(req: DemoRequest, who: Principal, db: str | None = None,
               progress: Progress = None) -> DemoResult:
    """Load the demo province into ``db`` (``setup``); nothing changes when it is there.

    With ``req.reset`` the demo is rebuilt: the batches of :func:`reset_plan` (those
    confirmed in ``req.batches``) are undone and the demo written anew, in one
    transaction.

    Raises
    ------
    PermissionDenied
        ``who`` may not set up the database.
    ValidationError
        The demo's load was undone (without ``reset``: say ``--reset``), or the
        batches to undo are no longer the ones confirmed (nothing changed).
    """
    from geo.demo import build_demo as build

    authorize(who, "setup")
    req = req.check()
    reset = None
    if req.reset:
        reset = req.batches if req.batches is not None else reset_plan(who, db).ids
    return DemoResult(**build(db, progress=progress, user=who.username, lang=req.lang,
                              reset=reset))


def demo_exists(db: str | None = None) -> bool:
    """Whether the demo has been loaded into ``db`` (``False`` for an unusable database)."""
    from geo.demo import demo_exists as exists

    return exists(db)
