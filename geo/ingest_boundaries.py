"""Importing official commune boundaries: read, match every feature, store all or nothing.

The flow is the same for the CLI and the Data page:

1. :func:`geo.io.boundaries.read_boundaries` reads the file, decodes the text,
   settles the CRS (declared, given, or guessed and accepted) and reprojects;
2. :func:`match_features` matches each feature to the registry edition by code,
   exact name, normalised name, ASCII name, then fuzzy within the district, and
   gives a report with one row per feature;
3. :func:`import_boundaries` stores nothing until every feature is matched or
   explicitly skipped, then saves the polygons as a new boundary version
   (source ``"official"``) in one undoable batch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from geo.errors import Problem, ValidationError
from geo.io.boundaries import BoundaryRead, read_boundaries
from geo.io.tables import column_key

__all__ = ["BoundaryImport", "import_boundaries", "match_features", "MATCHED"]

Progress = Callable[[float, str], None] | None

#: Methods that count as a match (``chosen`` = picked by a person).
MATCHED = ("code", "exact", "normalized", "ascii", "fuzzy", "chosen")

_CODE_COLS = ["ma_xa", "maxa", "ma_dvhc", "madvhc", "ma", "code", "unit_code", "commune_code",
              "ma_dv", "mahc", "ma_hc"]
_NAME_COLS = ["ten_xa", "tenxa", "xa", "commune", "ten", "name", "ten_dvhc", "tendvhc",
              "xa_phuong", "ten_don_vi", "description"]
_DISTRICT_COLS = ["huyen", "ten_huyen", "tenhuyen", "district", "quan_huyen", "ma_huyen"]


@dataclass
class BoundaryImport:
    """What a boundary import found and did.

    Attributes
    ----------
    read : BoundaryRead
        The file as read (CRS, encodings, repairs, overlaps, gaps).
    report : pandas.DataFrame
        One row per feature: ``feature, name, district, file_code, code, matched_name,
        method, score, alternatives, status`` where ``status`` is ``matched``,
        ``skipped`` or ``unmatched``.
    edition : str
        Registry edition matched against.
    batch_id : int or None
        Batch stored (None for a dry run or when nothing was stored).
    already_imported : bool
        The same file was imported before and is still active.
    """

    read: BoundaryRead
    report: pd.DataFrame
    edition: str
    batch_id: int | None = None
    already_imported: bool = False
    stored: int = 0
    notes: list[Problem] = field(default_factory=list)

    def to_dict(self) -> dict:
        """JSON-serialisable summary with the per-feature report."""
        rep = self.report.copy()
        rep["alternatives"] = rep["alternatives"].map(
            lambda a: [{"code": c, "name": n, "score": round(float(s), 1)} for c, n, s in a])
        return {"file": self.read.file, "edition": self.edition, "batch": self.batch_id,
                "already_imported": self.already_imported, "stored": self.stored,
                "read": self.read.summary(),
                "counts": self.report.method.value_counts().to_dict(),
                "features": rep.to_dict("records")}


def _pick_col(df: pd.DataFrame, aliases: list[str]) -> str | None:
    keys = {column_key(c): c for c in df.columns if c not in ("geometry", "feature")}
    for a in aliases:
        if column_key(a) in keys:
            return keys[column_key(a)]
    return None


def province_units(province: str, edition: str) -> pd.DataFrame:
    """The communes a boundary file of this province is matched against."""
    from geo.ingest import province_communes

    return province_communes(province, edition).reset_index(drop=True)


def _norm_code(v: object) -> str | None:
    if v is None or (isinstance(v, float) and v != v):
        return None
    s = str(v).strip()
    if s.endswith(".0"):
        s = s[:-2]
    return s.zfill(5) if s.isdigit() and len(s) <= 5 else (s or None)


def match_features(gdf: pd.DataFrame, province: str, edition: str,
                   name_col: str | None = None, code_col: str | None = None,
                   district_col: str | None = None, file: str | None = None,
                   progress: Progress = None) -> pd.DataFrame:
    """Match boundary features to the communes of a province in one registry edition.

    Parameters
    ----------
    gdf : DataFrame
        Features with a ``feature`` number and attribute columns.
    province : str
        Province code or name.
    edition : {"legacy", "2025"}
        Registry edition.
    name_col, code_col, district_col : str, optional
        Attribute columns; found by common names (``ten_xa``, ``ma_xa``, ``huyen``...)
        when not given.
    file : str, optional
        File name for messages.
    progress : callable, optional
        ``progress(fraction, message)``.

    Returns
    -------
    pandas.DataFrame
        ``feature, name, district, file_code, code, matched_name, method, score,
        alternatives, status``; ``method`` is ``code``, ``exact``, ``normalized``,
        ``ascii``, ``fuzzy``, ``ambiguous``, ``duplicate`` or ``none``.

    Raises
    ------
    ValidationError
        When the file has neither a code nor a name column.
    """
    from geo.names import match_names

    units = province_units(province, edition)
    name_col = name_col or _pick_col(gdf, _NAME_COLS)
    code_col = code_col or _pick_col(gdf, _CODE_COLS)
    district_col = district_col or _pick_col(gdf, _DISTRICT_COLS)
    n = len(gdf)
    codes = [_norm_code(v) for v in gdf[code_col]] if code_col else [None] * n
    known = set(units.code)
    if code_col and sum(c in known for c in codes) < 0.5 * n:
        codes = [c if c in known else None for c in codes]  # not GSO codes: names decide
    if not name_col and not any(codes):
        cols = ", ".join(c for c in gdf.columns if c not in ("geometry", "feature"))
        raise ValidationError(
            f"Không thấy cột mã xã (ma_xa) hay tên xã (ten_xa, xa) trong bảng thuộc tính. "
            f"Các cột có: {cols or '(không có)'}.",
            f"No commune code (ma_xa) or name (ten_xa, xa) column in the attribute table. "
            f"Columns: {cols or '(none)'}.", file=file)
    names = list(gdf[name_col]) if name_col else [None] * n
    dists = list(gdf[district_col]) if district_col else None
    has_groups = edition == "legacy" and dists is not None
    m = match_names(names, units, group_col="district_name" if has_groups else None,
                    query_groups=dists if has_groups else None, progress=progress)
    by_code = units.set_index("code").name
    rows = []
    for i in range(n):
        r = m.iloc[i]
        c = codes[i]
        if c in known:
            code, mname, method, score, alts = c, by_code[c], "code", 100.0, []
        else:
            code, mname, method = r.code, r.matched_name, r.method
            score, alts = float(r.score), list(r.alternatives)
        rows.append({
            "feature": int(gdf.feature.iloc[i]),
            "name": None if names[i] is None else str(names[i]),
            "district": None if dists is None or dists[i] is None else str(dists[i]),
            "file_code": None if not code_col else gdf[code_col].iloc[i],
            "code": code, "matched_name": mname, "method": method, "score": score,
            "alternatives": alts,
        })
    rep = pd.DataFrame(rows)
    # Two features on one unit: the best keeps it, the others need a person.
    rep["_rank"] = rep.method.map({k: j for j, k in enumerate(MATCHED)}).fillna(99)
    ok = rep.code.notna()
    order = rep[ok].sort_values(["_rank", "score"], ascending=[True, False])
    dup = order.duplicated("code", keep="first")
    for idx in order.index[dup]:
        first = order[~dup & (order.code == rep.at[idx, "code"])].iloc[0]
        rep.at[idx, "alternatives"] = [(rep.at[idx, "code"], rep.at[idx, "matched_name"],
                                        rep.at[idx, "score"])] + list(rep.at[idx,
                                                                             "alternatives"])
        rep.at[idx, "method"] = "duplicate"
        rep.at[idx, "matched_name"] = f"(trùng với đối tượng {int(first.feature)})"
        rep.at[idx, "code"] = None
    rep["status"] = rep.method.map(lambda x: "matched" if x in MATCHED else "unmatched")
    return rep.drop(columns="_rank")


def _apply_choices(rep: pd.DataFrame, choices: dict[int, str | None] | None,
                   units: pd.DataFrame, file: str) -> list[Problem]:
    """Apply a person's choices: feature → unit code, or None to skip."""
    problems: list[Problem] = []
    if not choices:
        return problems
    names = units.set_index("code").name
    for feat, code in choices.items():
        idx = rep.index[rep.feature == int(feat)]
        if len(idx) == 0:
            problems.append(Problem(f"không có đối tượng số {feat}",
                                    f"there is no feature {feat}", file=file, row=int(feat)))
            continue
        i = idx[0]
        if code is None or str(code).strip() == "":
            rep.at[i, "status"] = "skipped"
            continue
        c = _norm_code(code)
        if c not in names.index:
            problems.append(Problem(f"mã xã '{code}' không thuộc tỉnh/danh mục đã chọn",
                                    f"commune code '{code}' is not in the chosen province/"
                                    "edition", file=file, row=int(feat)))
            continue
        rep.at[i, "code"] = c
        rep.at[i, "matched_name"] = names[c]
        rep.at[i, "method"] = "chosen"
        rep.at[i, "score"] = 100.0
        rep.at[i, "status"] = "matched"
    taken = rep[rep.status == "matched"].code
    for c in taken[taken.duplicated()].unique():
        feats = rep.feature[(rep.code == c) & (rep.status == "matched")].tolist()
        problems.append(Problem(
            f"các đối tượng {', '.join(map(str, feats))} cùng khớp với xã {c} ({names[c]}); "
            "chọn xã khác hoặc bỏ qua", f"features {', '.join(map(str, feats))} all match "
            f"commune {c} ({names[c]}); choose another or skip", file=file, row=feats[-1]))
    return problems


def import_boundaries(
    path: str | Path,
    province: str,
    url: str | None = None,
    *,
    crs: str | None = None,
    accept_guess: bool = False,
    edition: str | None = None,
    skip_unmatched: bool = False,
    choices: dict[int, str | None] | None = None,
    dry_run: bool = False,
    user: str = "system",
    display_name: str | None = None,
    read: BoundaryRead | None = None,
    progress: Progress = None,
) -> BoundaryImport:
    """Read, match and (when everything is settled) store a boundary file.

    Parameters
    ----------
    path : str or Path
        The boundary file (see :func:`geo.io.boundaries.read_boundaries`).
    province : str
        Province code or name.
    url : str, optional
        Database URL.
    crs, accept_guess :
        See :func:`~geo.io.boundaries.read_boundaries`.
    edition : {"legacy", "2025"}, optional
        Registry edition; by default the one more features match.
    skip_unmatched : bool
        Skip features that match nothing (or ambiguously) instead of refusing.
    choices : dict, optional
        Feature number → unit code (a person's pick) or None (skip).
    dry_run : bool
        Match and report only; store nothing.
    user : str
        Who imports.
    display_name : str, optional
        Name shown in messages.
    read : BoundaryRead, optional
        An already read file (the Data page reads once, then confirms).
    progress : callable, optional
        ``progress(fraction, message)``.

    Returns
    -------
    BoundaryImport

    Raises
    ------
    ValidationError
        When the file cannot be read or some feature is neither matched nor skipped
        (every such feature is listed with its closest units); nothing is stored.
    """
    from geo.db import session_scope
    from geo.store import (
        file_sha256,
        find_active_batch,
        init_db,
        lock_units,
        new_batch,
        save_boundaries,
    )

    name = display_name or Path(path).name

    def step(f: float, m: str) -> None:
        if progress:
            progress(f, m)

    if read is None:
        read = read_boundaries(path, province, crs=crs, accept_guess=accept_guess,
                               display_name=name,
                               progress=lambda f, m: step(0.6 * f, m))
    step(0.65, "Đối chiếu với danh mục")
    eds = [edition] if edition else ["legacy", "2025"]
    best: tuple[int, str, pd.DataFrame] | None = None
    for ed in eds:
        rep = match_features(read.gdf, province, ed, file=name)
        score = int((rep.status == "matched").sum())
        if best is None or score > best[0]:
            best = (score, ed, rep)
    assert best is not None
    _, ed, rep = best
    units = province_units(province, ed)
    problems = _apply_choices(rep, choices, units, name)
    if skip_unmatched:
        rep.loc[rep.status == "unmatched", "status"] = "skipped"
    res = BoundaryImport(read=read, report=rep, edition=ed, notes=list(read.notes))
    for r in rep[rep.status == "unmatched"].itertuples():
        alts = "; ".join(f"{c} {nm} ({s:.0f})" for c, nm, s in r.alternatives[:3]) or "—"
        why_vi = {"ambiguous": "khớp với nhiều xã", "duplicate": "trùng xã với đối tượng khác",
                  "none": "không khớp xã nào"}.get(r.method, r.method)
        why_en = {"ambiguous": "matches several communes",
                  "duplicate": "same commune as another feature",
                  "none": "matches no commune"}.get(r.method, r.method)
        problems.append(Problem(
            f"'{r.name}' ({r.district or '—'}) {why_vi}; gần nhất: {alts}",
            f"'{r.name}' ({r.district or '—'}) {why_en}; closest: {alts}",
            file=name, row=int(r.feature), column="tên xã / name"))
    if problems:
        problems.sort(key=lambda p: p.row or 0)
        raise ValidationError(
            f"Tệp '{name}': {len(problems)} đối tượng chưa khớp hoặc lựa chọn không hợp lệ; chưa "
            "lưu gì. Chọn xã cho từng đối tượng trên trang Dữ liệu, hoặc dùng --skip-unmatched "
            "để bỏ qua chúng.",
            f"File '{name}': {len(problems)} features unmatched or invalid choices; nothing "
            "stored. Pick a commune per feature on the Data page, or use --skip-unmatched.",
            problems=problems, file=name)
    keep = rep[rep.status == "matched"]
    if keep.empty:
        raise ValidationError("Không còn đối tượng nào để lưu (tất cả bị bỏ qua).",
                              "No feature left to store (all skipped).", file=name)
    if dry_run:
        return res
    step(0.85, "Lưu vào cơ sở dữ liệu")
    geo = read.gdf.set_index("feature").geometry
    out = gpd.GeoDataFrame({"code": keep.code.to_numpy()},
                           geometry=[geo[f] for f in keep.feature], crs=4326)
    # Several parts of one commune (chosen explicitly) become one multipolygon.
    out = out.dissolve("code", as_index=False) if out.code.duplicated().any() else out
    out["geometry"] = shapely.make_valid(out.geometry.values)
    init_db(url)
    sha = file_sha256(path) if Path(path).is_file() else None
    with session_scope(url) as s:
        # Hold the province's lock from the check to the write (see geo.store.lock_units).
        lock_units(s, ((ed, c) for c in out.code))
        if sha:
            prev = find_active_batch(s, "boundaries", sha)
            if prev is not None:
                res.batch_id, res.already_imported = prev.id, True
                return res
        from geo.registry import resolve_province

        try:
            pcode = str(resolve_province(province, ed).code)
        except Exception:  # noqa: BLE001 - name of the other edition
            pcode = None
        b = new_batch(s, "boundaries", user=user, file_name=name, sha256=sha,
                      province_code=pcode, note=f"{read.source_crs} ({read.crs_origin})")
        res.stored = save_boundaries(s, out, ed, "official", batch=b,
                                     source_crs=read.source_crs, source_file=name)
        res.batch_id = b.id
    step(1.0, "Xong")
    return res
