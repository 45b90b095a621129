"""Matching the features of a boundary file to the communes of the registry.

The flow is the same for the CLI and the Data page
(:mod:`geo.services.imports` stores the result):

1. :func:`geo.io.boundaries.read_boundaries` reads the file, decodes the text,
   settles the CRS (declared, given, or guessed and accepted) and reprojects;
2. :func:`match_boundaries` matches each feature to the registry edition (the
   one asked for, or the one more features match) by code, exact name,
   normalised name, ASCII name, then fuzzy within the district
   (:func:`match_features`), giving a report with one row per feature; the
   communes of the *other* edition are those covering the province's territory
   (through the crosswalk), so a pre-reform file of a merged province matches;
3. :func:`check_crs` refuses a file whose communes do not land where they
   belong under its CRS when another CRS puts them there (ranked by
   :func:`geo.crs.rank_by_anchors`);
4. :func:`settle_matches` applies a person's choices (feature → commune, or
   skip), checks every matched feature against where its commune is
   (:func:`geo.io.placement.check_features`: near the registry centroid, area,
   inside the province and district) and lists every feature still neither
   matched nor skipped — a name match far from its commune is such a feature;
5. :func:`boundary_frame` gives the polygons to store, one per commune.

Nothing here touches the database.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from geo.errors import Problem, ValidationError
from geo.io.boundaries import BoundaryRead
from geo.io.tables import column_key

__all__ = ["MATCHED", "EditionTry", "apply_choices", "boundary_frame", "check_crs",
           "match_boundaries", "match_features", "province_units", "report_records",
           "settle_matches"]

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


def province_units(province: Any, edition: str) -> pd.DataFrame:
    """The communes a boundary file of this province is matched against.

    Parameters
    ----------
    province : Province or str
        A :class:`geo.registry.Province` (or a code/name, read in ``edition``).
    edition : {"legacy", "2025"}
        The registry edition. In the other edition than the province's own, these
        are the communes covering its territory, through the crosswalk, in display
        order: 2025 Lào Cai (15) is legacy Lào Cai (10) and Yên Bái (15); 2025 Hải
        Phòng is legacy Hải Phòng and Hải Dương.
    """
    from geo.registry import Province, load_crosswalk, load_units, province_communes

    if not isinstance(province, Province):
        return province_communes(province, edition).reset_index(drop=True)
    if edition == province.edition:
        return province_communes(province.code, edition).reset_index(drop=True)
    own = load_units(province.edition, "commune")
    own = set(own.code[own.province_code == province.code])
    cw = load_crosswalk()
    codes = (set(cw.new_code[cw.old_code.isin(own)]) if edition == "2025"
             else set(cw.old_code[cw.new_code.isin(own)]))
    u = load_units(edition, "commune")
    u = u[u.code.isin(codes)]
    order = ["province_name", "district_name", "name"] if edition == "legacy" else ["name"]
    return u.sort_values(order).reset_index(drop=True)


def _norm_code(v: object) -> str | None:
    if v is None or (isinstance(v, float) and v != v):
        return None
    s = str(v).strip()
    if s.endswith(".0"):
        s = s[:-2]
    return s.zfill(5) if s.isdigit() and len(s) <= 5 else (s or None)


def match_features(gdf: pd.DataFrame, province: Any, edition: str,
                   name_col: str | None = None, code_col: str | None = None,
                   district_col: str | None = None, file: str | None = None,
                   progress: Progress = None) -> pd.DataFrame:
    """Match boundary features to the communes of a province in one registry edition.

    Parameters
    ----------
    gdf : DataFrame
        Features with a ``feature`` number and attribute columns.
    province : Province or str
        The province (its territory's communes in ``edition``, see
        :func:`province_units`).
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
    rep = rep.drop(columns="_rank")
    rep.attrs["name_col"] = name_col
    return rep


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


@dataclass(frozen=True)
class EditionTry:
    """How a boundary file matched one registry edition.

    Attributes
    ----------
    edition : {"legacy", "2025"}
    matched : int
        Features matched by code or name.
    by_code : int
        Of which by a commune code of that edition.
    provinces : tuple of str
        Names of the provinces (in that edition) of the communes matched.
    report : pandas.DataFrame
        :func:`match_features`'s report against that edition.
    placed : int or None
        Features matched *and* lying on their commune (:func:`settle_matches`
        with the file), once the CRS is known to be right.
    """

    edition: str
    matched: int
    by_code: int
    provinces: tuple[str, ...] = ()
    report: pd.DataFrame | None = field(default=None, compare=False, repr=False)
    placed: int | None = None


def match_boundaries(read: BoundaryRead, province: Any,
                     editions: Sequence[str] = ("legacy", "2025"),
                     file: str | None = None, tries: list[EditionTry] | None = None
                     ) -> tuple[str, pd.DataFrame]:
    """Match a boundary file against the registry edition that fits it better.

    Parameters
    ----------
    read : BoundaryRead
        The file as read.
    province : Province or str
        The province (see :func:`province_units` for the other edition).
    editions : sequence of {"legacy", "2025"}
        Registry editions to try; the one more features match wins (codes first,
        then names; the first on a tie).
    file : str, optional
        File name for messages.
    tries : list, optional
        Filled with an :class:`EditionTry` per edition tried (to say which was
        inferred, or that the other one fits).

    Returns
    -------
    edition : str
        The edition matched against.
    report : pandas.DataFrame
        :func:`match_features`'s report.

    Raises
    ------
    ValidationError
        When the column holding the names cannot be decoded (its encoding is in
        doubt): the message names the column and ``--encoding``.
    """
    best: tuple[tuple[int, int], str, pd.DataFrame] | None = None
    for ed in editions:
        rep = match_features(read.gdf, province, ed, file=file or read.file)
        ok = rep.status == "matched"
        key = (int(ok.sum()), int((rep.method == "code").sum()))
        if tries is not None:
            from geo.registry import load_units

            units = load_units(ed, "commune").set_index("code")
            provs = units.province_name.reindex(rep.code[ok]).dropna().value_counts()
            tries.append(EditionTry(ed, key[0], key[1], tuple(provs.index.astype(str)), rep))
        if best is None or key > best[0]:
            best = (key, ed, rep)
    assert best is not None
    _check_text(read, best[2], file or read.file)
    return best[1], best[2]


def place_tries(read: BoundaryRead, province: Any, tries: list[EditionTry],
                file: str | None = None) -> list[EditionTry]:
    """The tries with ``placed`` counted: features matched that lie on their commune.

    A commune code reused by the 2025 edition (a merged commune keeps one
    predecessor's code) matches a legacy file "by code", but the legacy
    polygon is a fraction of the merged commune's area: counting placed
    features tells the editions apart where counting matches cannot.
    """
    out = []
    for t in tries:
        rep, _ = settle_matches(t.report, province, t.edition, file=file, read=read)
        out.append(replace(t, placed=int((rep.status == "matched").sum())))
    return out


def _check_text(read: BoundaryRead, report: pd.DataFrame, file: str) -> None:
    """Refuse when the names could not be decoded and so did not match."""
    col = report.attrs.get("name_col")
    doubt = read.text_doubts.get(col) if col else None
    if doubt is None or (report.status == "matched").mean() >= 0.5:
        return
    from geo.io.boundaries import ENCODING_CHOICES

    raise ValidationError(
        f"Không nhận ra bảng mã chữ của cột '{col}' (ví dụ '{doubt}'): tên xã đọc ra không "
        "phải tiếng Việt nên không khớp được. Hãy chỉ định bảng mã bằng --encoding "
        f"({', '.join(ENCODING_CHOICES)}); tệp DBF cũ thường dùng tcvn3 hoặc vni.",
        f"The text encoding of column '{col}' is not recognised (e.g. '{doubt}'): the names "
        "do not read as Vietnamese and cannot be matched. Give the encoding with --encoding "
        f"({', '.join(ENCODING_CHOICES)}); old DBF files often use tcvn3 or vni.",
        file=file, column=col)


def settle_matches(report: pd.DataFrame, province: Any, edition: str,
                   choices: dict[int, str | None] | None = None, skip_unmatched: bool = False,
                   file: str | None = None, read: BoundaryRead | None = None
                   ) -> tuple[pd.DataFrame, list[Problem]]:
    """Apply choices to a match report, check where the features lie, list the unsettled.

    Parameters
    ----------
    report : pandas.DataFrame
        :func:`match_features`'s report (not changed).
    province : Province or str
        What the report was matched against (with ``edition``).
    edition : {"legacy", "2025"}
        Registry edition of the report.
    choices : dict, optional
        Feature number → commune code, or None to skip the feature.
    skip_unmatched : bool
        Skip every feature that matches nothing, several communes, or a commune
        it does not lie on.
    file : str, optional
        File name for messages.
    read : BoundaryRead, optional
        The file as read: every matched feature (chosen ones too) is checked
        against where its commune is (:func:`geo.io.placement.check_features`);
        one that is not where its commune is stays unmatched, with the reason.

    Returns
    -------
    report : pandas.DataFrame
        A copy with ``status`` ``matched``, ``skipped`` or ``unmatched``, and
        ``placement`` (``None``, or ``far``, ``outside``, ``area``), why in
        ``placement_vi``/``placement_en``, and ``distance_km`` for the features checked.
    problems : list of Problem
        Invalid choices and every unmatched feature with its closest communes or
        where it lies, sorted by feature; nothing may be stored while this is not
        empty.
    """
    rep = report.copy()
    units = province_units(province, edition)
    problems = apply_choices(rep, choices, units, file or "")
    rep["placement"] = None
    rep["placement_vi"] = None
    rep["placement_en"] = None
    rep["distance_km"] = float("nan")
    placed_problems: dict[int, Problem] = {}
    if read is not None and not read.off_province and read.province is not None:
        from geo.io.placement import check_features

        ok = rep.status == "matched"
        if ok.any():
            feats = rep.feature[ok].to_numpy()
            sub = read.gdf.set_index("feature").loc[feats].reset_index()
            checks, probs = check_features(sub, rep.code[ok].tolist(), read.province, edition,
                                           file)
            rep.loc[ok, "distance_km"] = checks.distance_km.to_numpy()
            rep.loc[ok, "placement"] = checks.reason.to_numpy()
            bad = rep.index[ok][~checks.placed.to_numpy(dtype=bool)]
            rep.loc[bad, "status"] = "unmatched"
            placed_problems = {p.row: p for p in probs if p.row is not None}
            for i in bad:
                p = placed_problems[int(rep.at[i, "feature"])]
                rep.at[i, "placement_vi"], rep.at[i, "placement_en"] = p.vi, p.en
    if skip_unmatched:
        rep.loc[rep.status == "unmatched", "status"] = "skipped"
    for r in rep[rep.status == "unmatched"].itertuples():
        if int(r.feature) in placed_problems:
            problems.append(placed_problems[int(r.feature)])
            continue
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


#: Under its CRS fewer than this share of the matched communes land where they belong:
#: the CRS is doubted and the others are tried (:func:`check_crs`).
CRS_PLACED_SHARE = 0.5

_ORIGIN = {"file": ("khai báo trong tệp", "declared in the file"),
           "given": ("đã chỉ định bằng --crs", "given with --crs"),
           "guess": ("diaban đoán, nhận bằng --accept-guess",
                     "guessed by diaban, accepted with --accept-guess")}


def check_crs(read: BoundaryRead, report: pd.DataFrame, edition: str,
              file: str | None = None) -> ValidationError | None:
    """The refusal of a file whose communes do not land where they belong under its CRS.

    The features matched by code or name are checked against their communes
    (:func:`geo.io.placement.check_features`). When fewer than
    :data:`CRS_PLACED_SHARE` of them lie near their commune (distance only: a
    wrong area is not the CRS's fault), or the CRS put the whole file
    off the province), every plausible CRS is tried on the file's own
    coordinates (:func:`geo.crs.rank_by_anchors`); if one places at least half
    of them, and more than the file's, the file is refused naming it, its
    score and the flag that accepts it (``--crs``).

    Parameters
    ----------
    read : BoundaryRead
        The file as read (with ``raw`` geometries and its ``province``).
    report : pandas.DataFrame
        :func:`match_features`'s report (before choices).
    edition : {"legacy", "2025"}
        Registry edition of the report's codes.
    file : str, optional
        File name for messages.

    Returns
    -------
    ValidationError or None
        None when the CRS places the communes (or no other CRS does better and
        the file is on the province: each misplaced feature is then its own
        problem).
    """
    from pyproj import CRS

    from geo.crs import rank_by_anchors
    from geo.io.placement import check_features, registry_places, tolerance_km

    name = file or read.file
    prov = read.province
    ok = report[(report.status == "matched") & report.code.notna()]
    n = len(ok)
    placed = 0
    if n and not read.off_province:
        sub = read.gdf.set_index("feature").loc[ok.feature.to_numpy()].reset_index()
        checks, _ = check_features(sub, ok.code.tolist(), prov, edition, name)
        placed = int((checks.reason != "far").sum())  # by distance, as the ranking counts
    if n and placed >= CRS_PLACED_SHARE * n:
        return None
    ranking = []
    if n and read.raw is not None:
        reg = registry_places(edition).reindex(ok.code.astype(str))
        raw = read.raw.set_axis(read.gdf.feature.to_numpy()).loc[ok.feature.to_numpy()]
        ranking = rank_by_anchors(raw.to_numpy(), (reg.lon.to_numpy(), reg.lat.to_numpy()),
                                  1000.0 * tolerance_km(reg.area_km2),
                                  prov.code if prov is not None else None,
                                  edition=prov.edition if prov is not None else "legacy")
    src = CRS.from_user_input(read.source_crs)
    same = [g for g in ranking if CRS.from_user_input(g.crs).equals(src)]
    if same:
        placed = max(placed, same[0].placed or 0)
    others = [g for g in ranking if not CRS.from_user_input(g.crs).equals(src)]
    best = others[0] if others else None
    origin_vi, origin_en = _ORIGIN.get(read.crs_origin, ("", ""))
    if best is not None and best.placed >= max(CRS_PLACED_SHARE * n, placed + 1):
        opts = [Problem(f"khả năng {i + 1}: {g.crs} — {g.reason_vi}",
                        f"option {i + 1}: {g.crs} — {g.reason_en}", file=name)
                for i, g in enumerate(ranking[:4])]
        return ValidationError(
            f"Các xã trong tệp không nằm đúng vị trí theo hệ tọa độ {read.source_crs} "
            f"({origin_vi}): chỉ {placed}/{n} xã khớp tên nằm gần vị trí của xã đó trong danh "
            f"mục. Đọc theo {best.crs} ({best.name}) thì {best.placed}/{n} xã nằm đúng vị "
            f"trí. Nếu tệp dùng hệ tọa độ này, chạy lại với --crs {best.crs} (trên trang Dữ "
            "liệu: ghi vào ô Hệ tọa độ). Chưa lưu gì.",
            f"The file's communes are not where they belong under the CRS "
            f"{read.source_crs} ({origin_en}): only {placed}/{n} communes matched by name lie "
            f"near their registry position. Read as {best.crs} ({best.name}), {best.placed}/{n} "
            f"are where they belong. If the file uses that CRS, run again with --crs "
            f"{best.crs} (on the Data page: type it in the CRS box). Nothing was stored.",
            problems=opts, file=name)
    if read.off_province:
        from geo.io.boundaries import off_province_error

        return off_province_error(read.raw_bounds or (0.0, 0.0, 0.0, 0.0), src, read.source_crs,
                   _bbox(prov), prov, prov.name if prov is not None else "", name)
    return None


def _bbox(prov: Any) -> tuple[float, float, float, float]:
    from geo.io.boundaries import province_bbox

    return province_bbox(prov)[1]


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
