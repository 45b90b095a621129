"""Matching the features of a boundary file to the communes of the registry.

The flow is the same for the CLI and the Data page
(:mod:`geo.services.imports` stores the result):

1. :func:`geo.io.boundaries.read_boundaries` reads the file, decodes the text,
   settles the CRS (declared, given, or guessed and accepted) and reprojects;
2. :func:`match_boundaries` matches each feature to the registry edition (the
   one asked for, or the one more features match) by code, exact name,
   normalised name, ASCII name, then fuzzy within the district
   (:func:`match_features`), giving a report with one row per feature;
3. :func:`settle_matches` applies a person's choices (feature → commune, or
   skip) and lists every feature still neither matched nor skipped;
4. :func:`boundary_frame` gives the polygons to store, one per commune.

Nothing here touches the database.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import geopandas as gpd
import pandas as pd
import shapely

from geo.errors import Problem, ValidationError
from geo.io.boundaries import BoundaryRead
from geo.io.tables import column_key

__all__ = ["MATCHED", "apply_choices", "boundary_frame", "match_boundaries", "match_features",
           "province_units", "report_records", "settle_matches"]

Progress = Callable[[float, str], None] | None

#: Methods that count as a match (``chosen`` = picked by a person).
MATCHED = ("code", "exact", "normalized", "ascii", "fuzzy", "chosen")

_CODE_COLS = ["ma_xa", "maxa", "ma_dvhc", "madvhc", "ma", "code", "unit_code", "commune_code",
              "ma_dv", "mahc", "ma_hc"]
_NAME_COLS = ["ten_xa", "tenxa", "xa", "commune", "ten", "name", "ten_dvhc", "tendvhc",
              "xa_phuong", "ten_don_vi", "description"]
_DISTRICT_COLS = ["huyen", "ten_huyen", "tenhuyen", "district", "quan_huyen", "ma_huyen"]


def report_records(report: pd.DataFrame) -> list[dict]:
    """The match report as JSON-ready records (alternatives as ``code, name, score``)."""
    rep = report.copy()
    rep["alternatives"] = rep["alternatives"].map(
        lambda a: [{"code": c, "name": n, "score": round(float(s), 1)} for c, n, s in a])
    return rep.to_dict("records")


def _pick_col(df: pd.DataFrame, aliases: list[str]) -> str | None:
    keys = {column_key(c): c for c in df.columns if c not in ("geometry", "feature")}
    for a in aliases:
        if column_key(a) in keys:
            return keys[column_key(a)]
    return None


def province_units(province: str, edition: str) -> pd.DataFrame:
    """The communes a boundary file of this province is matched against."""
    from geo.registry import province_communes

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


def apply_choices(rep: pd.DataFrame, choices: dict[int, str | None] | None,
                  units: pd.DataFrame, file: str) -> list[Problem]:
    """Apply a person's choices to a match report, in place.

    Parameters
    ----------
    rep : pandas.DataFrame
        Report of :func:`match_features` (changed in place).
    choices : dict, optional
        Feature number → commune code (a person's pick) or None (skip it).
    units : pandas.DataFrame
        The communes that may be chosen (:func:`province_units`).
    file : str
        File name for messages.

    Returns
    -------
    list of Problem
        Choices naming no feature or a commune outside ``units``, and communes
        chosen for several features.
    """
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


def match_boundaries(read: BoundaryRead, province: str,
                     editions: Sequence[str] = ("legacy", "2025"),
                     file: str | None = None) -> tuple[str, pd.DataFrame]:
    """Match a boundary file against the registry edition that fits it better.

    Parameters
    ----------
    read : BoundaryRead
        The file as read.
    province : str
        Province code or name.
    editions : sequence of {"legacy", "2025"}
        Registry editions to try; the one more features match wins (the first on
        a tie).
    file : str, optional
        File name for messages.

    Returns
    -------
    edition : str
        The edition matched against.
    report : pandas.DataFrame
        :func:`match_features`'s report.
    """
    best: tuple[int, str, pd.DataFrame] | None = None
    for ed in editions:
        rep = match_features(read.gdf, province, ed, file=file or read.file)
        score = int((rep.status == "matched").sum())
        if best is None or score > best[0]:
            best = (score, ed, rep)
    assert best is not None
    return best[1], best[2]


def settle_matches(report: pd.DataFrame, province: str, edition: str,
                   choices: dict[int, str | None] | None = None, skip_unmatched: bool = False,
                   file: str | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """Apply choices to a match report and list the features still unsettled.

    Parameters
    ----------
    report : pandas.DataFrame
        :func:`match_features`'s report (not changed).
    province, edition : str
        What the report was matched against.
    choices : dict, optional
        Feature number → commune code, or None to skip the feature.
    skip_unmatched : bool
        Skip every feature that matches nothing (or several communes).
    file : str, optional
        File name for messages.

    Returns
    -------
    report : pandas.DataFrame
        A copy with ``status`` ``matched``, ``skipped`` or ``unmatched``.
    problems : list of Problem
        Invalid choices and every unmatched feature with its closest communes,
        sorted by feature; nothing may be stored while this is not empty.
    """
    rep = report.copy()
    units = province_units(province, edition)
    problems = apply_choices(rep, choices, units, file or "")
    if skip_unmatched:
        rep.loc[rep.status == "unmatched", "status"] = "skipped"
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
            file=file, row=int(r.feature), column="tên xã / name"))
    problems.sort(key=lambda p: p.row or 0)
    return rep, problems


def boundary_frame(read: BoundaryRead, report: pd.DataFrame) -> gpd.GeoDataFrame:
    """The polygons to store: ``code, geometry`` (WGS84) of the matched features.

    Several features chosen for one commune (its parts) become one multipolygon;
    every geometry is made valid.

    Raises
    ------
    ValidationError
        When no feature is matched (all skipped).
    """
    keep = report[report.status == "matched"]
    if keep.empty:
        raise ValidationError("Không còn đối tượng nào để lưu (tất cả bị bỏ qua).",
                              "No feature left to store (all skipped).", file=read.file)
    geo = read.gdf.set_index("feature").geometry
    out = gpd.GeoDataFrame({"code": keep.code.to_numpy()},
                           geometry=[geo[f] for f in keep.feature], crs=4326)
    # Several parts of one commune (chosen explicitly) become one multipolygon.
    out = out.dissolve("code", as_index=False) if out.code.duplicated().any() else out
    out["geometry"] = shapely.make_valid(out.geometry.values)
    return out
