"""Imports: every kind of file goes through one skeleton, with one result shape.

read → validate → lock → "already imported?" → batch → write

- :func:`preview` checks the request, authorises the principal, reads the file
  **once** and validates it (:mod:`geo.io` turns the file into a frame and
  problems), then looks, without locking, whether the same file is already
  imported *with the same result* and whether its figures contradict stored
  ones. "The same result" is the frame to write (its key,
  :attr:`Prepared.result_key`): the same file read with another CRS, encoding,
  edition, period, mapping or other skipped rows is a new import that
  *supersedes* the earlier one (undone in the same transaction, so nothing the
  wrong reading stored stays current; undoing the new one restores what was
  there before both). It returns a
  :class:`Prepared` import: the validated frame and what will be written. Any
  problem raises :class:`~geo.errors.ValidationError` listing every problem with
  its file, row and column; nothing is stored.
- :func:`commit` writes exactly the frame of a :class:`Prepared` import in one
  transaction: it takes the provinces' locks (:func:`geo.store.lock_units`), then
  checks again only what can have changed since the preview — whether the file
  was imported meanwhile, and the stored figures it must agree with — creates
  one undoable batch and writes. All or nothing.
- :func:`import_file` is both in one call (the CLI; ``dry_run=True`` is the
  preview only). The Data page keeps the :class:`Prepared` import between the
  preview and the user's confirmation, so a confirmed upload is read and
  validated once.

Kinds: ``indicators`` (commune figures, CSV/XLSX), ``boundaries`` (official
commune polygons), ``incidents`` (points counted per commune and period),
``facilities``, ``hotspots`` (designations with dated statuses) and
``population`` (a raster summed per commune). Each has a request class
(:class:`IndicatorsRequest`, …); the result is always an :class:`ImportResult`.

Examples
--------
>>> from geo.auth import local_admin
>>> req = IndicatorsRequest("so_lieu.csv", province="Sơn La")   # doctest: +SKIP
>>> res = import_file(req, local_admin(), "sqlite:///diaban.db")  # doctest: +SKIP
>>> res.rows, res.batch_id                                         # doctest: +SKIP
(12, 7)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, ClassVar, Self

import pandas as pd

from geo.auth import Principal, authorize, units_outside_area
from geo.errors import Problem, ValidationError
from geo.services.base import (
    Progress,
    Request,
    check_edition,
    check_indicator,
    check_period,
    check_province,
    ensure_db,
    mark_ready,
    plain,
    reporter,
    transaction,
)
from geo.store import (
    add_facility,
    add_hotspot,
    current_boundaries,
    file_batches,
    file_sha256,
    get_values,
    last_detail,
    lock_province,
    lock_units,
    new_batch,
    province_units,
    record_batch_areas,
    save_boundaries,
    undo_batch,
    write_values,
)

__all__ = [
    "KINDS",
    "BoundariesRequest",
    "FacilitiesRequest",
    "HotspotsRequest",
    "ImportRequest",
    "ImportResult",
    "IncidentsRequest",
    "IndicatorsRequest",
    "PopulationRequest",
    "Prepared",
    "TemplateRequest",
    "TemplateResult",
    "boundary_choices",
    "choose",
    "commit",
    "import_file",
    "preview",
    "result_key",
    "write_template",
]

#: Kinds of import, as recorded on their batches.
KINDS = ("indicators", "boundaries", "incidents", "facilities", "hotspots", "population")


# ------------------------------------------------------------------ requests


def _check_file(file: object, display_name: str | None) -> tuple[Path, str]:
    if file is None or str(file).strip() == "":
        raise ValidationError("Chưa chọn tệp.", "No file given.")
    path = Path(str(file))
    name = str(display_name).strip() if display_name else path.name
    if not path.exists():
        raise ValidationError(f"Không tìm thấy tệp '{name}'.", f"File '{name}' not found.",
                              file=name)
    return path, name


def _check_crs(crs: str | None) -> str | None:
    """A CRS the user typed (``EPSG:9206``), checked; ``None`` when empty."""
    if crs is None or not str(crs).strip():
        return None
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    try:
        CRS.from_user_input(str(crs).strip())
    except CRSError:
        raise ValidationError(f"Hệ tọa độ '{crs}' không hợp lệ; ghi dạng EPSG:9206.",
                              f"Invalid CRS '{crs}'; write it as EPSG:9206.") from None
    return str(crs).strip()


@dataclass(frozen=True)
class ImportRequest(Request):
    """A file to import (base of the per-kind requests).

    Attributes
    ----------
    file : str or Path
        The file (uploads: the temporary copy).
    province : str or Province
        Province code or name (resolved once by :meth:`check`).
    display_name : str, optional
        File name shown in messages and recorded on the batch (uploads are saved
        under temporary names).
    lang : {"vi", "en"}
        Language of the progress messages (errors carry both languages).
    """

    kind: ClassVar[str] = ""
    file: Path | str = ""
    province: Any = None
    display_name: str | None = None
    lang: str = "vi"

    @property
    def name(self) -> str:
        """File name shown in messages."""
        return self.display_name or Path(str(self.file)).name

    def check(self) -> Self:
        """Validate every field; resolve the province (required for this kind)."""
        path, name = _check_file(self.file, self.display_name)
        return replace(self, file=path, display_name=name,
                       province=check_province(self.province))


@dataclass(frozen=True)
class IndicatorsRequest(ImportRequest):
    """Commune figures from a CSV/XLSX file: long table, diaban's template, or a province's
    own report sheet (:mod:`geo.io.report_sheets`).

    Attributes
    ----------
    province : str, optional
        Province whose communes the names are matched within (codes need none; a
        report sheet needs it).
    period : str or Period, optional
        Period of a wide table that does not write one above its header (a report
        sheet's title is read otherwise).
    mapping : Mapping, str, Path or dict, optional
        A person's reading of a report sheet: column → indicator (or ignore), name →
        commune (:class:`geo.io.report_sheets.Mapping`, its JSON file, or its dict).
        Without one, the mapping last used for the sheet's layout is used.
    accept_matches : bool
        Take a report sheet's approximate name matches as they are.
    """

    kind: ClassVar[str] = "indicators"
    period: Any = None
    mapping: Any = None
    accept_matches: bool = False

    def check(self) -> Self:
        """Validate the file, the province and period (optional) and the mapping."""
        from geo.io.report_sheets import Mapping

        path, name = _check_file(self.file, self.display_name)
        prov = None if self.province in (None, "") else check_province(self.province)
        per = None if self.period in (None, "") else check_period(self.period)
        m = self.mapping
        if m is not None and not isinstance(m, Mapping):
            m = Mapping.from_dict(m) if isinstance(m, dict) else Mapping.read(m)
        return replace(self, file=path, display_name=name, province=prov, period=per,
                       mapping=m, accept_matches=bool(self.accept_matches))


@dataclass(frozen=True)
class BoundariesRequest(ImportRequest):
    """Official commune boundaries (zipped shapefile, GeoPackage, GeoJSON, KML, .gdb).

    Attributes
    ----------
    crs : str, optional
        CRS of the coordinates (``EPSG:9206``), overriding the file's.
    accept_guess : bool
        Go on with diaban's guess when the file declares no CRS.
    edition : {"legacy", "2025"}, optional
        Registry edition to match against (default: the one more features match).
    skip_unmatched : bool
        Skip features that match no commune (or several, or a commune they do not lie
        on) instead of refusing the file.
    choices : mapping, optional
        Feature number → commune code (a person's pick) or ``None`` (skip it).
    encoding : {"utf-8", "cp1258", "tcvn3", "vni", "cp1252"}, optional
        Encoding of the attribute text, for when the ``.cpg`` and detection cannot
        tell (:data:`geo.io.boundaries.ENCODING_CHOICES`).
    """

    kind: ClassVar[str] = "boundaries"
    crs: str | None = None
    accept_guess: bool = False
    edition: str | None = None
    skip_unmatched: bool = False
    choices: Mapping[int, str | None] | None = None
    encoding: str | None = None

    def check(self) -> Self:
        """Validate the file, province, CRS, edition, encoding and choices."""
        req = super().check()
        return replace(req, crs=_check_crs(self.crs), accept_guess=bool(self.accept_guess),
                       edition=None if self.edition is None else check_edition(self.edition),
                       skip_unmatched=bool(self.skip_unmatched),
                       choices=_check_choices(self.choices),
                       encoding=_check_encoding(self.encoding))


def _check_encoding(encoding: str | None) -> str | None:
    """A text encoding the user named (``tcvn3``…), checked; ``None`` when empty."""
    if encoding is None or not str(encoding).strip():
        return None
    from geo.io.boundaries import ENCODING_CHOICES
    from geo.textenc import codec_name

    enc = codec_name(str(encoding))
    if enc not in ENCODING_CHOICES:
        raise ValidationError(
            f"Bảng mã '{encoding}' không hợp lệ; dùng một trong: {', '.join(ENCODING_CHOICES)}.",
            f"Unknown encoding '{encoding}'; use one of: {', '.join(ENCODING_CHOICES)}.",
            column="encoding")
    return enc


def _check_choices(choices: Mapping[Any, Any] | None) -> dict[int, str | None] | None:
    """Feature number → commune code (``None``: skip), with empty picks as skips."""
    if not choices:
        return None
    try:
        return {int(k): (None if v is None or str(v).strip() == "" else str(v).strip())
                for k, v in dict(choices).items()}
    except (TypeError, ValueError):
        raise ValidationError("Lựa chọn xã phải theo số thứ tự đối tượng.",
                              "Choices must be keyed by feature number.") from None


@dataclass(frozen=True)
class IncidentsRequest(ImportRequest):
    """Incident points (CSV/XLSX), counted per commune and period.

    Attributes
    ----------
    crs : str, optional
        CRS of ``x``/``y`` columns (default: the province's VN-2000 TM-3 zone).
    period_kind : {"H", "Q", "Y"}
        Count per half-year (default), quarter or year.
    skip_invalid : bool
        Skip (and list) rows without coordinates, with bad dates or outside the
        province instead of refusing the file.
    """

    kind: ClassVar[str] = "incidents"
    crs: str | None = None
    period_kind: str = "H"
    skip_invalid: bool = False

    def check(self) -> Self:
        """Validate the file, province, CRS and period kind."""
        req = super().check()
        kind = str(self.period_kind or "H").upper()
        if kind not in ("H", "Q", "Y"):
            raise ValidationError(
                f"Loại kỳ '{self.period_kind}' không hợp lệ; dùng H (6 tháng), Q (quý) hoặc "
                "Y (năm).", f"Invalid period kind '{self.period_kind}'; use H (half-year), "
                "Q (quarter) or Y (year).")
        return replace(req, crs=_check_crs(self.crs), period_kind=kind,
                       skip_invalid=bool(self.skip_invalid))


@dataclass(frozen=True)
class FacilitiesRequest(ImportRequest):
    """Facilities (CSV/XLSX, or the Data page's editor table saved as CSV).

    Attributes
    ----------
    action : {"import", "edit"}
        The right needed: ``import`` for a file, ``edit`` for rows typed on the page.
    """

    kind: ClassVar[str] = "facilities"
    action: str = "import"

    def check(self) -> Self:
        """Validate the file, province and action."""
        req = super().check()
        if self.action not in ("import", "edit"):
            raise ValueError(f"action must be 'import' or 'edit', not {self.action!r}")
        return req


@dataclass(frozen=True)
class HotspotsRequest(FacilitiesRequest):
    """Hotspot designations, one row per dated status event (CSV/XLSX or the editor)."""

    kind: ClassVar[str] = "hotspots"


@dataclass(frozen=True)
class PopulationRequest(ImportRequest):
    """A population raster (GeoTIFF, any CRS) summed per stored commune boundary.

    Attributes
    ----------
    year : int
        Year of the population figures.
    edition : {"legacy", "2025"}, optional
        Boundaries to sum over (default: the edition in force in that year).
    """

    kind: ClassVar[str] = "population"
    year: int | None = None
    edition: str | None = None

    def check(self) -> Self:
        """Validate the file, province, year and edition."""
        req = super().check()
        try:
            year = int(str(self.year))
        except (TypeError, ValueError):
            year = None
        if year is None or not 1950 <= year <= 2100:
            raise ValidationError(f"Năm {self.year} không hợp lệ.", f"Invalid year {self.year}.")
        ed = check_edition(self.edition) if self.edition is not None else \
            check_period(str(year)).edition
        return replace(req, year=year, edition=ed)


# ------------------------------------------------------------------ results


@dataclass
class Prepared:
    """A file read and validated once, ready to be written by :func:`commit`.

    Attributes
    ----------
    request : ImportRequest
        The checked request.
    kind : str
        One of :data:`KINDS`.
    file : str
        File name shown in messages and recorded on the batch.
    sha256 : str or None
        Hash of the file's bytes ("already imported?" looks for it).
    frame : pandas.DataFrame
        Exactly what :func:`commit` writes: values ``unit_code, period, indicator,
        value, edition`` (indicators, incidents, population), polygons ``code,
        geometry`` (boundaries), facilities or hotspot events.
    editions : dict
        Rows to write per units edition.
    problems : list of Problem
        What stops the import (bad cells, rows outside the principal's area,
        figures contradicting stored ones), each with file, row and column;
        :func:`commit` refuses while it is not empty.
    skipped : list of Problem
        Rows that will not be stored (``skip_invalid``, ``skip_unmatched``).
    notes : list of Problem
        Warnings that do not stop the import (repaired geometries, overlaps…).
    details : dict
        What else the kind reports (e.g. ``points``, ``total``, the boundary file's
        CRS and repairs), strict JSON.
    already_batch : int or None
        Active batch that imported the same file with the same result, as seen by
        :func:`preview`.
    supersedes : list of int
        Active batches that imported the same file with another result (other
        options): :func:`commit` undoes them as it writes this one.
    result_key : str or None
        SHA-256 of what the frame writes (:func:`result_key`).
    edition : str or None
        The units edition of a boundary or population import.
    batch_province, batch_note : str or None
        Recorded on the batch (its province is what history and undo check).
    table, read, report, matches :
        The table read (indicators: problems point at its cells), the boundary
        file as read, its match report and the report before choices (boundaries).
    prepared_by : str
        Username of the principal who previewed it.
    units : int or None
        Rows counted when they are not the frame's rows (hotspots: communes).
    record : dict
        Recorded with the batch (a report sheet's layout and the mapping that read
        it, remembered for the next sheet of that layout).
    sheet : ReportSheet or None
        How a report sheet was read (its columns, rows, checks, uncertain names).
    changes : pandas.DataFrame or None
        Commune figures: each figure beside the stored one it replaces, flagged when
        beyond a plausible range (:func:`geo.changes.compare_with_stored`); set by
        :func:`preview` when the file is not already imported.
    """

    request: ImportRequest
    kind: str
    file: str
    sha256: str | None
    frame: pd.DataFrame
    editions: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    details: dict = field(default_factory=dict)
    already_batch: int | None = None
    supersedes: list[int] = field(default_factory=list)
    result_key: str | None = None
    edition: str | None = None
    batch_province: str | None = None
    batch_note: str | None = None
    table: Any = field(default=None, repr=False)
    read: Any = field(default=None, repr=False)
    report: pd.DataFrame | None = field(default=None, repr=False)
    matches: pd.DataFrame | None = field(default=None, repr=False)
    prepared_by: str = ""
    units: int | None = None
    record: dict = field(default_factory=dict)
    sheet: Any = field(default=None, repr=False)
    changes: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def rows(self) -> int:
        """Rows :func:`commit` will write (hotspots: communes designated)."""
        return len(self.frame) if self.units is None else self.units

    @property
    def province(self) -> Any:
        """The request's :class:`~geo.registry.Province` (``None`` when not given)."""
        return self.request.province

    @property
    def ok(self) -> bool:
        """No problem: :func:`commit` may write it."""
        return not self.problems

    def error(self) -> ValidationError:
        """The message refusing this import, listing every problem with its place."""
        return _kind(self.kind).refusal(self)

    def to_dict(self) -> dict:
        """Strict-JSON summary of what will be written (without the frame)."""
        changes = {} if self.changes is None else {"changes": {
            "new": int((self.changes.status == "new").sum()),
            "changed": int((self.changes.status == "changed").sum()),
            "flagged": int(self.changes.flag.sum())}}
        return plain({"kind": self.kind, "file": self.file, "rows": self.rows,
                      **changes, "editions": self.editions, "already_batch": self.already_batch,
                      "supersedes": self.supersedes,
                      "problems": self.problems,
                      "province": self.province, "edition": self.edition,
                      "skipped_rows": self.skipped, "notes": self.notes, **self.details})


@dataclass
class ImportResult:
    """What an import did (or, for a dry run, would do); one shape for every kind.

    Attributes
    ----------
    kind : str
        One of :data:`KINDS`.
    file : str
        File name.
    batch_id : int or None
        The batch stored, or the earlier batch of the same file
        (``already_imported``); ``None`` for a dry run.
    rows : int
        Rows stored (a dry run: rows that would be); 0 when already imported.
    editions : dict
        Rows per units edition.
    already_imported : bool
        The same file was imported before with the same result and is still
        active: nothing changed.
    superseded : list of int
        Batches of the same file imported with other options, undone by this
        import (a dry run: that would be).
    dry_run : bool
        Validated only; nothing stored.
    skipped : list of Problem
        Rows left out (``skip_invalid`` / ``skip_unmatched``).
    notes : list of Problem
        Warnings that did not stop the import.
    details : dict
        Kind-specific facts (``points``, ``periods``, ``total``, ``read``, ``counts``,
        ``features``…).
    edition : str or None
        Units edition of a boundary or population import.
    province : Province or None
        The province of the request.
    values : pandas.DataFrame
        The frame written (or that would be).
    read, report :
        The boundary file as read and its per-feature match report.
    """

    kind: str
    file: str
    batch_id: int | None
    rows: int
    editions: dict[str, int] = field(default_factory=dict)
    already_imported: bool = False
    dry_run: bool = False
    skipped: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    details: dict = field(default_factory=dict)
    edition: str | None = None
    province: Any = None
    values: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    read: Any = field(default=None, repr=False)
    report: pd.DataFrame | None = field(default=None, repr=False)
    superseded: list[int] = field(default_factory=list)

    @property
    def stored(self) -> int:
        """Rows this call stored (0 for a dry run or a file already imported)."""
        return 0 if self.dry_run or self.already_imported else self.rows

    def to_dict(self) -> dict:
        """Strict-JSON summary (``batch``, ``rows``, ``stored``, … and the kind's details)."""
        return plain({"kind": self.kind, "file": self.file, "batch": self.batch_id,
                      "rows": self.rows, "stored": self.stored, "editions": self.editions,
                      "already_imported": self.already_imported, "dry_run": self.dry_run,
                      "superseded": self.superseded,
                      "edition": self.edition, "province": self.province,
                      "skipped_rows": self.skipped, "notes": self.notes, **self.details})


def _result(prep: Prepared, batch_id: int | None = None, rows: int | None = None,
            already: bool = False, dry_run: bool = False,
            superseded: list[int] | None = None) -> ImportResult:
    n = 0 if already else (prep.rows if rows is None else rows)
    return ImportResult(prep.kind, prep.file, batch_id, n, dict(prep.editions), already,
                        dry_run, list(prep.skipped), list(prep.notes), dict(prep.details),
                        prep.edition, prep.province, prep.frame, prep.read, prep.report,
                        list(superseded or []))


def result_key(kind: str, frame: pd.DataFrame, edition: str | None = None) -> str:
    """SHA-256 of what an import writes: its kind, edition and frame (file positions left out).

    Two readings of one file with the same key store the same thing ("already
    imported"); a different key (another CRS, encoding, edition, period, mapping,
    other rows skipped) is a different import.

    Examples
    --------
    >>> f = pd.DataFrame({"unit_code": ["04024"], "period": ["2023-H1"],
    ...                   "indicator": ["population"], "value": [1.0], "row": [3]})
    >>> result_key("indicators", f) == result_key("indicators", f.assign(row=9))
    True
    >>> result_key("indicators", f) == result_key("indicators", f.assign(value=2.0))
    False
    """
    import hashlib

    import shapely

    df = pd.DataFrame(frame).drop(columns=[c for c in ("row", "value_col") if c in frame])
    if "geometry" in df:
        df["geometry"] = [None if g is None else shapely.to_wkb(g, hex=True)
                          for g in df["geometry"]]
    df = df.astype(str)
    cols = sorted(df.columns)
    df = df[cols].sort_values(cols, kind="stable") if cols else df
    h = hashlib.sha256(f"{kind}|{edition}|{','.join(cols)}\n".encode())
    h.update(df.to_csv(index=False, header=False).encode())
    return h.hexdigest()


def _same_file(s: Any, prep: Prepared) -> tuple[int | None, list[int]]:
    """(active batch of this file with this result, active batches with another result)."""
    if not prep.sha256:
        return None, []
    same, other = None, []
    for b, detail in file_batches(s, prep.kind, prep.sha256):
        if detail.get("result") == prep.result_key and same is None:
            same = b.id
        else:
            other.append(b.id)
    return same, other


# ------------------------------------------------------------------ the skeleton


def _scaled(progress: Callable[[float, str], None], lo: float, hi: float
            ) -> Callable[[float, str], None]:
    return lambda f, m: progress(lo + (hi - lo) * max(0.0, min(1.0, f)), m)


#: English of the progress messages of imports (the readers of :mod:`geo.io` included).
_PROGRESS_EN = {
    "Đọc tệp": "Reading the file", "Kiểm tra số liệu": "Checking the figures",
    "Đối chiếu với dữ liệu đã lưu": "Comparing with stored data", "Đã kiểm tra": "Checked",
    "Lưu vào cơ sở dữ liệu": "Writing to the database", "Xong": "Done",
    "Đối chiếu với danh mục": "Matching with the registry", "Ghép điểm vào xã":
    "Joining points to communes", "Chuyển mã chữ": "Converting the text encoding",
    "Hệ tọa độ": "Coordinate system", "Chuyển về WGS84": "Reprojecting to WGS84",
    "Sửa hình học": "Repairing geometries", "Kiểm tra chồng lấn và khe hở":
    "Checking overlaps and gaps", "Đã đọc": "Read",
}


def _in_lang(progress: Callable[[float, str], None], lang: str
             ) -> Callable[[float, str], None]:
    """``progress`` with the import's messages in ``lang`` (others pass as they are)."""
    if lang != "en":
        return progress
    return lambda f, m: progress(f, _PROGRESS_EN.get(m, m))


def _kind(kind: str) -> _Kind:
    try:
        return _KINDS[kind]
    except KeyError:
        raise ValueError(f"unknown import kind {kind!r}") from None


def _authorize(steps: _Kind, req: ImportRequest, who: Principal) -> None:
    authorize(who, steps.action(req), req.province, whole_province=steps.whole_province)


def _read(req: ImportRequest, who: Principal, db: str | None,
          progress: Callable[[float, str], None]) -> Prepared:
    """Check, authorise, read the file once and validate it (problems kept, not raised)."""
    if not isinstance(req, ImportRequest) or req.kind not in _KINDS:
        raise TypeError(f"not an import request: {type(req).__name__}")
    req = req.check()
    steps = _kind(req.kind)
    _authorize(steps, req, who)  # before the file is read
    prep = _read_file(req, db, _in_lang(progress, req.lang))
    prep.prepared_by = who.username
    prep.problems += steps.area_problems(prep, who)
    if not prep.problems:
        prep.result_key = result_key(prep.kind, prep.frame, prep.edition)
    return prep


#: Modules the fork server of upload readers imports once (:mod:`geo.ceiling`).
_WORKER = ("geo.services.import_worker",)


def _read_file(req: ImportRequest, db: str | None,
               progress: Callable[[float, str], None]) -> Prepared:
    """Read and validate the file in a child process with the upload memory ceiling.

    ``DIABAN_UPLOAD_MEMORY_MB=0`` reads it in this process (debugging). A reading
    that needs more memory than the ceiling, or whose process dies, is refused with
    a :class:`~geo.errors.ValidationError` naming the file; nothing is stored.
    """
    from geo.ceiling import CeilingExceeded, run_limited, upload_memory_mb

    limit = upload_memory_mb()
    if not limit:
        return _kind(req.kind).read(req, db, progress)
    url = ensure_db(db)  # the child reads the same database, prepared here once
    try:
        return run_limited(_read_in_child, (req, url), limit, progress, preload=_WORKER)
    except CeilingExceeded:
        raise _too_big(req, limit) from None


def _read_in_child(req: ImportRequest, db: str,
                   progress: Callable[[float, str], None]) -> Prepared:
    """:meth:`_Kind.read` in the child process of :func:`_read_file`."""
    from geo.ceiling import yield_cpu
    from geo.store import dispose_engines

    yield_cpu()  # an upload read on the app's server leaves the CPU to people browsing
    mark_ready(db)
    try:
        return _kind(req.kind).read(req, db, progress)
    finally:
        dispose_engines()  # close its connections before the process ends


#: What to do with a file too big to read, by kind (Vietnamese, English).
_SPLIT = {
    "boundaries": ("chia tệp theo huyện, hoặc giảm số đỉnh của các vùng (đơn giản hóa hình "
                   "học, ví dụ trong QGIS)", "split it by district, or reduce the vertices of "
                   "its polygons (simplify the geometry, e.g. in QGIS)"),
    "population": ("cắt ảnh theo ranh giới tỉnh (hoặc từng huyện)",
                   "clip the raster to the province (or to each district)"),
}
_SPLIT_TABLE = ("chia tệp thành nhiều tệp nhỏ hơn (ví dụ theo huyện hoặc theo kỳ)",
                "split it into smaller files (e.g. by district or period)")


def _too_big(req: ImportRequest, limit_mb: int) -> ValidationError:
    """The refusal of a file whose reading needs more memory than the ceiling."""
    from geo.i18n import fmt_number

    name = req.name
    vi, en = _SPLIT.get(req.kind, _SPLIT_TABLE)
    return ValidationError(
        f"Tệp '{name}' cần nhiều bộ nhớ hơn mức máy chủ cho phép cho một lần tải lên "
        f"({fmt_number(limit_mb, 'vi')} MB) nên chưa đọc được; chưa lưu gì. Hãy {vi} rồi "
        "nhập từng phần, hoặc đề nghị quản trị viên tăng DIABAN_UPLOAD_MEMORY_MB.",
        f"File '{name}' needs more memory than the server allows for one upload "
        f"({fmt_number(limit_mb, 'en')} MB), so it could not be read; nothing stored. "
        f"{en[0].upper()}{en[1:]} and import the parts one by one, or ask the administrator "
        "to raise DIABAN_UPLOAD_MEMORY_MB.", file=name)


def preview(req: ImportRequest, who: Principal, db: str | None = None,
            progress: Progress = None) -> Prepared:
    """Read and validate a file once; say what :func:`commit` would write.

    Parameters
    ----------
    req : ImportRequest
        One of :class:`IndicatorsRequest`, :class:`BoundariesRequest`,
        :class:`IncidentsRequest`, :class:`FacilitiesRequest`,
        :class:`HotspotsRequest`, :class:`PopulationRequest`.
    who : Principal
        Who imports; needs the ``import`` right (``edit`` for the page's editor
        tables) in the province, for the whole province except for figures.
    db : str, optional
        Database URL.
    progress : callable, optional
        ``progress(fraction, message)``.

    Returns
    -------
    Prepared
        The validated frame and every problem (:attr:`Prepared.problems`: bad
        cells, rows outside the principal's area, figures contradicting stored
        ones); ``already_batch`` is set when the same file is already imported.
        A prepared import with problems cannot be committed
        (:meth:`Prepared.error` is the message that lists them).

    Raises
    ------
    ValidationError
        When the file cannot be read at all (unreadable, missing columns, no CRS…).
    PermissionDenied
        When ``who`` may not import this (before the file is read).
    """
    step = reporter(progress)
    prep = _read(req, who, db, _scaled(step, 0.0, 0.6))
    step = _in_lang(step, prep.request.lang)
    if not prep.problems:
        steps = _kind(prep.kind)
        step(0.6, "Đối chiếu với dữ liệu đã lưu")
        with transaction(db) as s:
            prep.already_batch, prep.supersedes = _same_file(s, prep)
            if prep.already_batch is None:
                prep.problems += steps.stored_problems(s, prep)
                prep.changes = steps.changes(s, prep)
    step(1.0, "Đã kiểm tra")
    return prep


def commit(prepared: Prepared, who: Principal, db: str | None = None,
           progress: Progress = None) -> ImportResult:
    """Write exactly the frame of a previewed import, all or nothing, as one batch.

    In one transaction: the provinces' locks, then "already imported?" (a file
    imported meanwhile changes nothing), the stored figures it must agree with,
    a new batch, the write.

    Parameters
    ----------
    prepared : Prepared
        From :func:`preview` (or :func:`choose`).
    who : Principal
        Who imports (authorised again: rights can change between preview and commit).
    db : str, optional
        Database URL.
    progress : callable, optional
        ``progress(fraction, message)``.

    Returns
    -------
    ImportResult

    Raises
    ------
    ValidationError
        When the prepared import has problems, stored figures now contradict the
        file's, or rows are outside ``who``'s area; nothing is stored.
    PermissionDenied
        When ``who`` may not import this.
    """
    step = _in_lang(reporter(progress), prepared.request.lang)
    steps = _kind(prepared.kind)
    if prepared.problems:
        raise prepared.error()
    _authorize(steps, prepared.request, who)
    area = steps.area_problems(prepared, who)
    if area:
        raise steps.refusal(replace(prepared, problems=area))
    step(0.7, "Lưu vào cơ sở dữ liệu")
    with transaction(db) as s:
        # One transaction from the checks to the write, holding the provinces' locks:
        # a concurrent import of the same file then finds this batch, and one of
        # the same keys supersedes these values instead of adding a second current row.
        steps.lock(s, prepared)
        key = prepared.result_key or result_key(prepared.kind, prepared.frame,
                                                prepared.edition)
        prepared = replace(prepared, result_key=key)
        same, older = _same_file(s, prepared)
        if same is not None:
            return _result(prepared, same, already=True)
        for old in older:  # the same file read otherwise: the new reading replaces it
            _may_replace(s, old, who, prepared.file)
            undo_batch(s, old, who.username)
        problems = steps.stored_problems(s, prepared)
        if problems:
            raise steps.refusal(replace(prepared, problems=problems))
        b = new_batch(s, prepared.kind, user=who.username, file_name=prepared.file,
                      sha256=prepared.sha256, province_code=prepared.batch_province,
                      note=_note(prepared.batch_note, older), result=key,
                      supersedes=older or None, **prepared.record)
        n = steps.write(s, prepared, b, who)
        # The provinces the batch touches (history and undo check them); rows that
        # name no commune (facilities) are the request's province.
        prov = prepared.province
        record_batch_areas(s, b.id, [(prov.edition, prov.code)] if prov is not None else [])
        bid = b.id
    step(1.0, "Xong")
    return _result(prepared, bid, n, superseded=older)


def _may_replace(s: Any, batch_id: int, who: Principal, file: str) -> None:
    """Replacing an import undoes it: ``who`` needs the right to undo that batch."""
    from geo.auth import may_undo
    from geo.errors import PermissionDenied
    from geo.store.schema import ImportBatch

    b = s.get(ImportBatch, batch_id)
    try:
        may_undo(who, b.province_code, b.username)
    except PermissionDenied as e:
        raise PermissionDenied(
            f"Tệp '{file}' đã được nhập ở lần nhập số {batch_id} (do {b.username}) với tùy chọn "
            f"khác; lưu lần này sẽ thay thế (hoàn tác) lần đó, mà {e.vi[0].lower()}{e.vi[1:]}",
            f"File '{file}' was imported as batch {batch_id} (by {b.username}) with other "
            f"options; storing it now would replace (undo) that batch, but {e.en[0].lower()}"
            f"{e.en[1:]}", file=file) from None


def _note(note: str | None, older: list[int]) -> str | None:
    if not older:
        return note
    what = "thay thế lần nhập " + ", ".join(str(b) for b in older) + " (cùng tệp)"
    return f"{note}; {what}" if note else what


def import_file(req: ImportRequest, who: Principal, db: str | None = None,
                progress: Progress = None, dry_run: bool = False) -> ImportResult:
    """Preview and commit in one call (the CLI); ``dry_run`` only previews.

    Parameters
    ----------
    req, who, db, progress :
        As for :func:`preview`.
    dry_run : bool
        Validate only: store nothing (the result says whether the file is already
        imported).

    Returns
    -------
    ImportResult

    Raises
    ------
    ValidationError, PermissionDenied
        As :func:`preview` and :func:`commit`; nothing is stored.
    """
    step = reporter(progress)
    if dry_run:
        prep = preview(req, who, db, step)
        if prep.problems:
            raise prep.error()
        return _result(prep, prep.already_batch, already=prep.already_batch is not None,
                       dry_run=True, superseded=prep.supersedes)
    # No unlocked "already imported?" look here: commit does it under the lock.
    prep = _read(req, who, db, _scaled(step, 0.0, 0.6))
    if prep.problems:
        raise prep.error()
    return commit(prep, who, db, step)


def choose(prepared: Prepared, choices: Mapping[int, str | None],
           skip_unmatched: bool = False) -> Prepared:
    """A previewed boundary import with a person's choices applied (no second read).

    Parameters
    ----------
    prepared : Prepared
        A boundary import from :func:`preview`.
    choices : mapping
        Feature number → commune code, or ``None`` to skip the feature.
    skip_unmatched : bool
        Skip the features still unmatched after the choices.

    Returns
    -------
    Prepared
        To pass to :func:`commit`; its problems list invalid choices and features
        still unmatched.

    Raises
    ------
    ValidationError
        When nothing is left to store (every feature skipped).
    """
    from geo.io.boundary_match import boundary_frame, settle_matches

    if prepared.kind != "boundaries":
        raise ValueError("choices apply to boundary imports only")
    req = replace(prepared.request, choices=_check_choices(choices),
                  skip_unmatched=bool(skip_unmatched))  # the file itself is not needed again
    report, problems = settle_matches(prepared.matches, req.province, prepared.edition,
                                      req.choices, req.skip_unmatched, prepared.file,
                                      read=prepared.read)
    out = replace(prepared, request=req, report=report, problems=problems)
    if problems:
        return out
    return _BOUNDARIES.finish(out, boundary_frame(prepared.read, report))


def boundary_choices(prepared: Prepared) -> tuple[list[tuple[str, str]], dict[int, str | None]]:
    """What a person may pick for each feature of a previewed boundary import.

    Parameters
    ----------
    prepared : Prepared
        A boundary import from :func:`preview` or :func:`choose`.

    Returns
    -------
    options : list of (str, str)
        ``(code, name)`` of every commune of the province in the matched edition,
        in display order.
    current : dict
        Feature number → the commune it is matched to now, or ``None`` (unmatched
        or skipped).
    """
    from geo.io.boundary_match import province_units

    if prepared.kind != "boundaries":
        raise ValueError("choices apply to boundary imports only")
    units = province_units(prepared.province, prepared.edition)
    rep = prepared.report
    current = {int(f): (str(c) if st == "matched" else None)
               for f, c, st in zip(rep.feature, rep.code, rep.status)}
    return list(zip(units.code, units.name)), current


# ------------------------------------------------------------------ the kinds


class _Kind:
    """How one kind of file is read, checked against stored data, locked and written."""

    kind = ""
    whole_province = True

    def action(self, req: ImportRequest) -> str:
        return "import"

    def read(self, req: Any, db: str | None, progress: Callable[[float, str], None]
             ) -> Prepared:
        raise NotImplementedError

    def area_problems(self, prep: Prepared, who: Principal) -> list[Problem]:
        return []

    def stored_problems(self, s: Any, prep: Prepared) -> list[Problem]:
        return []

    def changes(self, s: Any, prep: Prepared) -> pd.DataFrame | None:
        return None

    def refusal(self, prep: Prepared) -> ValidationError:
        n = len(prep.problems)
        return ValidationError(f"Tệp '{prep.file}' có {n} lỗi; chưa lưu gì.",
                               f"File '{prep.file}' has {n} problems; nothing stored.",
                               problems=sorted(prep.problems, key=lambda p: p.row or 0),
                               file=prep.file)

    def lock(self, s: Any, prep: Prepared) -> None:
        lock_units(s, zip(prep.frame.edition, prep.frame.unit_code))

    def write(self, s: Any, prep: Prepared, batch: Any, who: Principal) -> int:
        return sum(write_values(s, grp, batch, str(ed))
                   for ed, grp in prep.frame.groupby("edition"))


def _editions(frame: pd.DataFrame) -> dict[str, int]:
    if frame.empty or "edition" not in frame:
        return {}
    return {str(k): int(v) for k, v in frame.groupby("edition").size().items()}


class _Indicators(_Kind):
    kind = "indicators"
    whole_province = False

    def read(self, req: IndicatorsRequest, db: str | None,
             progress: Callable[[float, str], None]) -> Prepared:
        from geo.io.indicators import indicators_from_grid
        from geo.io.report_sheets import Mapping
        from geo.io.tables import read_grid
        from geo.registry import load_units

        progress(0.05, "Đọc tệp")
        grid = read_grid(req.file, req.name)
        got = indicators_from_grid(grid, req.period, req.province, req.mapping,
                                   req.accept_matches)
        notes = list(got.notes)
        remembered = None
        if got.sheet is not None and req.mapping is None:
            with transaction(db) as s:
                remembered = last_detail(s, self.kind, "layout", got.sheet.layout)
            if remembered is not None and remembered[1].get("mapping"):
                got = indicators_from_grid(grid, req.period, req.province,
                                           Mapping.from_dict(remembered[1]["mapping"]),
                                           req.accept_matches)
                notes = [Problem(
                    f"dùng cách đọc cột đã dùng cho mẫu báo cáo này ở lần nhập số "
                    f"{remembered[0]} (ánh xạ đã nhớ)",
                    f"using the column reading remembered for this sheet layout from batch "
                    f"{remembered[0]}", file=req.name)] + list(got.notes)
        progress(0.5, "Kiểm tra số liệu")
        vals = got.values
        if not got.problems and vals.empty:
            raise ValidationError("Tệp không có số liệu nào.", "The file has no figures.",
                                  file=req.name)
        prov = None
        if not vals.empty:
            first = vals.iloc[0]
            prov = load_units(first.edition, "commune").set_index("code").province_code.get(
                first.unit_code)
        details: dict = {"period": got.period} if got.period else {}
        record: dict = {}
        if got.sheet is not None:
            details["sheet"] = got.sheet.summary()
            details["mapping"] = got.sheet.mapping().to_dict()
            record = {"layout": got.sheet.layout, "mapping": details["mapping"]}
        return Prepared(req, self.kind, req.name, file_sha256(req.file), vals,
                        _editions(vals), list(got.problems), notes=notes, table=got.table,
                        batch_province=prov, details=details, record=record,
                        sheet=got.sheet)

    def area_problems(self, prep: Prepared, who: Principal) -> list[Problem]:
        from geo.io.tables import problem

        out: list[Problem] = []
        vals = prep.frame
        if vals.empty or (not who.province_code and not who.district_code):
            return out
        for ed, grp in vals.groupby("edition"):
            bad = set(units_outside_area(who, str(ed), sorted(grp.unit_code.unique())))
            for r in grp[grp.unit_code.isin(bad)].itertuples():
                out.append(problem(
                    prep.table, int(r.row), r.value_col,
                    f"xã mã {r.unit_code} ngoài địa bàn mà tài khoản của bạn được phép nhập liệu",
                    f"commune {r.unit_code} is outside the area your account may change"))
        return out

    def stored_problems(self, s: Any, prep: Prepared) -> list[Problem]:
        """The file's figures against stored ones of the same communes and periods."""
        from geo.io.indicators import consistency_indicators, consistency_with_stored
        from geo.registry import load_units

        vals = prep.frame
        needed = consistency_indicators()
        if vals.empty or not set(vals.indicator) & needed:
            return []
        parts = []
        for ed, grp in vals.groupby("edition"):
            units = load_units(str(ed), "commune").set_index("code")
            for p in units.loc[grp.unit_code.unique(), "province_code"].unique():
                got = get_values(s, p, str(ed), sorted(needed), sorted(grp.period.unique()))
                got = got[got.converted == ""]
                parts.append(got[["unit_code", "period", "indicator", "value"]].assign(
                    edition=ed))
        stored = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
        return consistency_with_stored(vals, stored, prep.table)

    def changes(self, s: Any, prep: Prepared) -> pd.DataFrame | None:
        """Each figure beside the stored one it replaces (:mod:`geo.changes`)."""
        from geo.changes import compare_with_stored
        from geo.registry import load_units
        from geo.store import recorded_values

        vals = prep.frame
        if vals.empty:
            return None
        stored, names = [], []
        for ed, grp in vals.groupby("edition"):
            got = recorded_values(s, str(ed), sorted(grp.unit_code.unique()),
                                  sorted(grp.indicator.unique()))
            stored.append(got.assign(edition=str(ed)))
            units = load_units(str(ed), "commune").set_index("code").name
            names.append(units.reindex(grp.unit_code.unique()).rename(
                lambda c, e=str(ed): (e, c)))
        cols = ["edition", "unit_code", "period", "indicator", "value"]
        return compare_with_stored(vals[cols], pd.concat(stored, ignore_index=True)[cols],
                                   pd.concat(names))

    def refusal(self, prep: Prepared) -> ValidationError:
        n = len(prep.problems)
        return ValidationError(
            f"Tệp '{prep.file}' có {n} lỗi; chưa lưu gì vào cơ sở dữ liệu.",
            f"File '{prep.file}' has {n} problems; nothing was stored.",
            problems=sorted(prep.problems, key=lambda p: p.row or 0), file=prep.file)

    def write(self, s: Any, prep: Prepared, batch: Any, who: Principal) -> int:
        cols = ["unit_code", "period", "indicator", "value"]
        return sum(write_values(s, grp[cols], batch, str(ed))
                   for ed, grp in prep.frame.groupby("edition"))


class _Boundaries(_Kind):
    kind = "boundaries"

    def read(self, req: BoundariesRequest, db: str | None,
             progress: Callable[[float, str], None]) -> Prepared:
        from geo.io.boundaries import read_boundaries
        from geo.io.boundary_match import (
            boundary_frame,
            check_crs,
            match_boundaries,
            place_tries,
            settle_matches,
        )

        prov = req.province
        rd = read_boundaries(req.file, prov, crs=req.crs, accept_guess=req.accept_guess,
                             display_name=req.name, encoding=req.encoding,
                             keep_misplaced=True, progress=lambda f, m: progress(0.75 * f, m))
        progress(0.8, "Đối chiếu với danh mục")
        tries: list = []
        editions = [req.edition] if req.edition else ["legacy", "2025"]
        ed, matches = match_boundaries(rd, prov, editions, file=req.name, tries=tries)
        err = check_crs(rd, matches, ed, req.name)
        if err is not None:
            raise err
        # The CRS is right: the edition is the one whose communes the features lie on.
        if req.edition:
            other = "2025" if req.edition == "legacy" else "legacy"
            match_boundaries(rd, prov, [other], file=req.name, tries=tries)
        tries = place_tries(rd, prov, tries, req.name)
        hint = None
        if req.edition:
            asked, alt = tries
            if alt.placed > asked.placed:
                hint = _edition_hint(req, asked, alt, len(matches))
            tries = [asked]
        else:
            best = max(tries, key=lambda t: (t.placed, t.matched, t.by_code,
                                             -editions.index(t.edition)))
            ed, matches = best.edition, best.report
        notes = list(rd.notes) + _edition_notes(req, ed, tries, len(matches))
        report, problems = settle_matches(matches, prov, ed, req.choices, req.skip_unmatched,
                                          req.name, read=rd)
        sha = file_sha256(req.file) if Path(req.file).is_file() else None
        enc = ", ".join(f"{c}: {e}" for c, e in rd.encodings.items())
        note = f"{rd.source_crs} ({rd.crs_origin}); {ed}" + (f"; {enc}" if enc else "")
        prep = Prepared(req, self.kind, req.name, sha, pd.DataFrame(), problems=problems,
                        notes=notes, edition=ed, read=rd, report=report,
                        matches=matches,
                        batch_province=prov.code if ed in prov.editions else None,
                        batch_note=note,
                        details={"edition_hint": hint} if hint else {})
        if problems:
            return prep
        return self.finish(prep, boundary_frame(rd, report))

    def finish(self, prep: Prepared, frame: pd.DataFrame) -> Prepared:
        """Set the frame to write and the report's facts."""
        from geo.io.boundary_match import report_records

        rep = prep.report
        details = {**prep.details, "read": prep.read.summary(),
                   "counts": rep.method.value_counts().to_dict(),
                   "features": report_records(rep)}
        skipped = []
        for r in rep[rep.status == "skipped"].itertuples():
            why = ((r.placement_vi, r.placement_en) if isinstance(r.placement_vi, str)
                   else _UNMATCHED.get(r.method))
            skipped.append(Problem(
                f"bỏ qua '{r.name}'" + (f": {why[0]}" if why else ""),
                f"skipped '{r.name}'" + (f": {why[1]}" if why else ""),
                file=prep.file, row=int(r.feature)))
        return replace(prep, frame=frame, editions={prep.edition: len(frame)},
                       details=details, skipped=skipped)

    def refusal(self, prep: Prepared) -> ValidationError:
        n = len(prep.problems)
        hint = prep.details.get("edition_hint")
        far = sum(1 for p in prep.problems if p.column == "vị trí / position")
        far_vi = f" ({far} đối tượng khớp tên nhưng không nằm ở xã đó)" if far else ""
        far_en = f" ({far} match a name but do not lie on that commune)" if far else ""
        return ValidationError(
            f"Tệp '{prep.file}': {n} đối tượng chưa khớp hoặc lựa chọn không hợp lệ{far_vi}; "
            "chưa lưu gì. " + (hint["vi"] + " " if hint else "") + "Chọn xã cho từng đối "
            "tượng trên trang Dữ liệu, hoặc dùng --skip-unmatched để bỏ qua chúng.",
            f"File '{prep.file}': {n} features unmatched or invalid choices{far_en}; nothing "
            "stored. " + (hint["en"] + " " if hint else "") + "Pick a commune per feature on "
            "the Data page, or use --skip-unmatched.",
            problems=sorted(prep.problems, key=lambda p: p.row or 0), file=prep.file)

    def lock(self, s: Any, prep: Prepared) -> None:
        lock_units(s, ((prep.edition, c) for c in prep.frame.code))

    def write(self, s: Any, prep: Prepared, batch: Any, who: Principal) -> int:
        return save_boundaries(s, prep.frame, prep.edition, "official", batch=batch,
                               source_crs=prep.read.source_crs, source_file=prep.file)


#: Why a feature was left unmatched (skipped with ``skip_unmatched``), by match method.
_UNMATCHED = {"none": ("không khớp xã nào", "matches no commune"),
              "ambiguous": ("khớp với nhiều xã", "matches several communes"),
              "duplicate": ("trùng xã với đối tượng khác", "same commune as another feature")}

_EDITION_VI = {"legacy": "danh mục trước 01/7/2025 (legacy)", "2025": "danh mục từ 01/7/2025"}
_EDITION_EN = {"legacy": "the pre-1 July 2025 registry (legacy)",
               "2025": "the registry from 1 July 2025"}


def _edition_notes(req: BoundariesRequest, ed: str, tries: list, n: int) -> list[Problem]:
    """Say which registry edition the features were matched to, when diaban chose it."""
    if req.edition or not tries:
        return []
    got = next(t for t in tries if t.edition == ed)
    other = [t for t in tries if t.edition != ed]
    rest_vi = "".join(f"; {_EDITION_VI[t.edition]}: {t.placed}/{n}" for t in other)
    rest_en = "".join(f"; {_EDITION_EN[t.edition]}: {t.placed}/{n}" for t in other)
    provs = ", ".join(got.provinces[:3])
    where_vi = f" (xã thuộc {provs})" if provs and ed not in req.province.editions else ""
    where_en = f" (communes of {provs})" if provs and ed not in req.province.editions else ""
    return [Problem(
        f"diaban nhận ra tệp theo {_EDITION_VI[ed]}{where_vi}: {got.placed}/{n} đối tượng "
        f"khớp mã hoặc tên và nằm đúng xã{rest_vi}. Nếu không đúng, chỉ định --edition.",
        f"diaban recognised the file as {_EDITION_EN[ed]}{where_en}: {got.placed}/{n} "
        f"features match a code or name and lie on their commune{rest_en}. If that is "
        "wrong, give --edition.",
        file=req.name)]


def _edition_hint(req: BoundariesRequest, asked: Any, other: Any, n: int) -> dict:
    """The command with the right ``--edition`` when the other edition fits the file."""
    provs = ", ".join(other.provinces[:3])
    cmd = (f"diaban import boundaries {req.name} -p \"{req.province.name}\" "
           f"--edition {other.edition}")
    return {"vi": (f"Theo {_EDITION_VI[req.edition]} chỉ {asked.placed}/{n} đối tượng khớp, "
                   f"còn theo {_EDITION_VI[other.edition]} thì {other.placed}/{n} khớp"
                   + (f" (xã thuộc {provs})" if provs else "") + f": hãy chạy {cmd}."),
            "en": (f"Against {_EDITION_EN[req.edition]} only {asked.placed}/{n} features "
                   f"match, against {_EDITION_EN[other.edition]} {other.placed}/{n} do"
                   + (f" (communes of {provs})" if provs else "") + f": run {cmd}.")}


class _Incidents(_Kind):
    kind = "incidents"

    def read(self, req: IncidentsRequest, db: str | None,
             progress: Callable[[float, str], None]) -> Prepared:
        from geo.io.incidents import join_incidents, read_incidents
        from geo.periods import parse_period

        pts = read_incidents(req.file, req.province, crs=req.crs, period_kind=req.period_kind,
                             display_name=req.name, progress=progress)
        progress(0.4, "Ghép điểm vào xã")
        polygons, communes, by_ed = {}, {}, {}
        with transaction(db) as s:
            for per_id in pts.needed_periods():
                ed = parse_period(per_id).edition
                if ed not in by_ed:
                    polys = current_boundaries(s, req.province, ed)
                    if polys.empty:
                        raise ValidationError(
                            f"Chưa có ranh giới xã ({ed}) của {pts.province_name} để ghép điểm; "
                            "hãy nhập ranh giới trước (diaban import boundaries).",
                            f"No {ed} commune boundaries of {pts.province_name} stored to join "
                            "points to; import boundaries first (diaban import boundaries).",
                            file=req.name)
                    by_ed[ed] = (polys, list(province_units(s, req.province, ed).code))
                polygons[per_id], communes[per_id] = by_ed[ed]
        counts, problems, n = join_incidents(pts, polygons, communes)
        counts["edition"] = counts.period.map(lambda p: parse_period(p).edition)
        bad_rows = len({p.row for p in problems})
        details = {"points": n, "periods": sorted(counts.period.unique().tolist()),
                   "bad_rows": bad_rows}
        prep = Prepared(req, self.kind, req.name, None, counts, _editions(counts),
                        details=details, batch_province=pts.province_code)
        if problems and (not req.skip_invalid or not n):
            prep.problems = problems
            return prep
        if not n:
            raise ValidationError("Tệp không có vụ việc nào.", "The file has no incidents.",
                                  file=req.name)
        prep.skipped = problems
        prep.sha256 = file_sha256(req.file)
        return prep

    def refusal(self, prep: Prepared) -> ValidationError:
        n = len({p.row for p in prep.problems})
        k = len(prep.problems)
        why_vi = "" if prep.details.get("points") else " Không có điểm nào hợp lệ trong tỉnh."
        why_en = "" if prep.details.get("points") else " No valid point in the province."
        return ValidationError(
            f"Tệp '{prep.file}' có {n} dòng lỗi ({k} ô sai); chưa lưu gì.{why_vi} Sửa các ô "
            "dưới đây hoặc dùng --skip-invalid để bỏ qua đúng các dòng đó.",
            f"File '{prep.file}' has {n} bad rows ({k} bad cells); nothing stored.{why_en} "
            "Fix the cells below or use --skip-invalid to skip exactly those rows.",
            problems=prep.problems, file=prep.file)

    def write(self, s: Any, prep: Prepared, batch: Any, who: Principal) -> int:
        cols = ["unit_code", "period", "indicator", "value"]
        return sum(write_values(s, grp[cols], batch, str(ed))
                   for ed, grp in prep.frame.groupby("edition"))


def _column_limits(model: Any, columns: tuple[str, ...]) -> dict[str, int]:
    """``VARCHAR`` lengths of a table's text columns (PostgreSQL enforces them)."""
    out = {}
    for c in columns:
        n = getattr(model.__table__.c[c].type, "length", None)
        if n:
            out[c] = int(n)
    return out


class _Facilities(_Kind):
    kind = "facilities"

    def action(self, req: ImportRequest) -> str:
        return req.action

    def _validate(self, tab: Any, req: ImportRequest) -> tuple[pd.DataFrame, list[Problem]]:
        from geo.io.registers import validate_facilities
        from geo.store.schema import Facility

        return validate_facilities(tab.df, req.province, tab, req.name,
                                   _column_limits(Facility, ("name", "operator")))

    def read(self, req: FacilitiesRequest, db: str | None,
             progress: Callable[[float, str], None]) -> Prepared:
        from geo.io.tables import read_table

        progress(0.05, "Đọc tệp")
        tab = read_table(req.file, req.name)
        frame, problems = self._validate(tab, req)
        if not problems and frame.empty:
            raise ValidationError("Tệp không có dòng nào.", "The file has no rows.",
                                  file=req.name)
        return Prepared(req, self.kind, req.name, file_sha256(req.file), frame,
                        problems=problems, batch_province=req.province.code)

    def lock(self, s: Any, prep: Prepared) -> None:
        lock_province(s, prep.province.code)

    def write(self, s: Any, prep: Prepared, batch: Any, who: Principal) -> int:
        for r in prep.frame.to_dict("records"):
            add_facility(s, batch=batch, user=who.username, **r)
        batch.n_rows = len(prep.frame)
        return len(prep.frame)


class _Hotspots(_Facilities):
    kind = "hotspots"

    def _validate(self, tab: Any, req: ImportRequest) -> tuple[pd.DataFrame, list[Problem]]:
        from geo.io.registers import validate_hotspots
        from geo.store.schema import HotspotEvent

        return validate_hotspots(tab.df, req.province.code, tab, req.name,
                                 _column_limits(HotspotEvent, ("decision_no",)))

    def read(self, req: HotspotsRequest, db: str | None,
             progress: Callable[[float, str], None]) -> Prepared:
        prep = super().read(req, db, progress)
        communes = prep.frame.drop_duplicates(["edition", "unit_code"])
        prep.editions = _editions(communes)
        prep.units = len(communes)
        return prep

    def lock(self, s: Any, prep: Prepared) -> None:
        lock_units(s, zip(prep.frame.edition, prep.frame.unit_code))

    def write(self, s: Any, prep: Prepared, batch: Any, who: Principal) -> int:
        n = 0
        events = ["status", "event_date", "decision_no", "note"]
        for (ed, code), grp in prep.frame.groupby(["edition", "unit_code"], sort=False):
            add_hotspot(s, str(ed), str(code), grp[events].to_dict("records"), batch=batch,
                        user=who.username)
            n += 1
        batch.n_rows = n
        return n


class _Population(_Kind):
    kind = "population"

    def read(self, req: PopulationRequest, db: str | None,
             progress: Callable[[float, str], None]) -> Prepared:
        from geo.io.raster import zonal_sums

        with transaction(db) as s:
            polys = current_boundaries(s, req.province.code, req.edition)
        if polys.empty:
            raise ValidationError("Chưa có ranh giới xã để tính tổng.",
                                  "No commune boundaries stored to sum over.", file=req.name)
        sums = zonal_sums(req.file, polys, req.name, progress)
        if sums.value.sum() <= 0:
            raise ValidationError(
                "Ảnh không có giá trị dân số nào trong tỉnh (ảnh nằm ngoài tỉnh?).",
                "The raster has no population inside the province.", file=req.name)
        sums["period"] = str(req.year)
        sums["indicator"] = "population"
        sums["edition"] = req.edition
        return Prepared(req, self.kind, req.name, file_sha256(req.file), sums,
                        _editions(sums), edition=req.edition,
                        details={"total": float(sums.value.sum()), "year": req.year},
                        batch_province=req.province.code)


_BOUNDARIES = _Boundaries()
_KINDS: dict[str, _Kind] = {k.kind: k for k in (
    _Indicators(), _BOUNDARIES, _Incidents(), _Facilities(), _Hotspots(), _Population())}


# ------------------------------------------------------------------ templates


@dataclass(frozen=True)
class TemplateRequest(Request):
    """An XLSX data-entry template for one province and period.

    Attributes
    ----------
    province : str or Province
        Province code or name.
    period : str or Period
        Reporting period (e.g. ``2025-H2``), written above the table.
    out : str or Path
        Output ``.xlsx`` path.
    edition : {"legacy", "2025"}, optional
        Communes to list (default: the edition the period belongs to).
    indicators : tuple of str, optional
        Indicator ids (default: the whole catalog except ``incidents``).
    lang : {"vi", "en"}
        Header language.
    """

    province: Any = None
    period: Any = None
    out: Path | str = ""
    edition: str | None = None
    indicators: tuple[str, ...] | None = None
    lang: str = "vi"

    def check(self) -> Self:
        """Validate every field; resolve province, period, edition and indicators."""
        prov = check_province(self.province)
        if self.period is None or str(self.period).strip() == "":
            raise ValidationError("Chưa chọn kỳ báo cáo.", "No period given.")
        per = check_period(self.period)
        ed = check_edition(self.edition, per.edition)
        if not str(self.out).strip():
            raise ValidationError("Chưa chọn tệp ghi ra.", "No output file given.")
        inds = None if not self.indicators else tuple(
            check_indicator(i) for i in self.indicators)
        return replace(self, province=prov, period=per, edition=ed, out=Path(str(self.out)),
                       indicators=inds, lang="en" if self.lang == "en" else "vi")


@dataclass
class TemplateResult:
    """A template written.

    Attributes
    ----------
    file : Path
        The ``.xlsx`` written.
    province : Province
    period : Period
    edition : str
        Units edition of the communes listed.
    communes : int
        Rows (one per commune).
    indicators : list of str
        Indicator columns.
    """

    file: Path
    province: Any
    period: Any
    edition: str
    communes: int
    indicators: list[str]

    def to_dict(self) -> dict:
        """Strict-JSON summary."""
        return plain({"file": str(self.file), "province": self.province,
                      "period": self.period.id, "edition": self.edition,
                      "communes": self.communes, "indicators": self.indicators})


def write_template(req: TemplateRequest, who: Principal | None = None,
                   db: str | None = None, progress: Progress = None) -> TemplateResult:
    """Write an XLSX template: one row per commune (codes, names prefilled), one column
    per indicator, the period above the table.

    A template holds only the public units registry, never stored figures, so no
    login is needed; a principal that is given must be allowed to view the
    province.

    Parameters
    ----------
    req : TemplateRequest
        What to write.
    who : Principal, optional
        Who asks.
    db : str, optional
        Unused (templates need no database); kept for the services' shape.
    progress : callable, optional
        ``progress(fraction, message)``.

    Returns
    -------
    TemplateResult
    """
    from geo.indicators import load_catalog
    from geo.io.indicators import write_template_xlsx
    from geo.registry import province_communes

    req = req.check()
    if who is not None:
        authorize(who, "view", req.province)
    units = province_communes(req.province.code, req.edition)
    cat = [i for i in load_catalog() if i.id != "incidents"]
    if req.indicators:
        cat = [i for i in cat if i.id in req.indicators]
    path = write_template_xlsx(units, req.period, req.out, cat, req.lang)
    reporter(progress)(1.0, "Xong")
    return TemplateResult(path, req.province, req.period, req.edition, len(units),
                          [i.id for i in cat])
