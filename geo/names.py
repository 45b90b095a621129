"""Vietnamese place names: prefixes, normalisation and matching to registry codes.

Names of the same unit are written many ways: with or without the unit-type
prefix ("Xã", "TT.", "Thi tran"), with the tone mark on either vowel ("Hoà" /
"Hòa", "Thuỷ" / "Thủy"), with "y" or "i" ("Sỹ" / "Sĩ"), with Roman or Arabic
numbers ("Phường IV" / "Phường 04"), or without diacritics at all. This module
reduces them to comparable keys (:func:`normalize_name`, :func:`ascii_key`) and
matches a list of names to a table of units (:func:`match_names`), restricted
to a group such as the district when one is known, and reporting every
uncertain or ambiguous case instead of picking silently.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from geo.errors import Problem, ValidationError

__all__ = ["ascii_key", "match_names", "normalize_name", "strip_prefix"]

# --- prefixes ------------------------------------------------------------------------
# canonical type -> (written with diacritics, without diacritics, abbreviations)
_PREFIX_FORMS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "thành phố": (("thành phố",), ("thanh pho",), ("tp.", "tp")),
    "thị trấn": (("thị trấn",), ("thi tran",), ("tt.", "tt")),
    "thị xã": (("thị xã",), ("thi xa",), ("tx.", "tx")),
    "đặc khu": (("đặc khu",), ("dac khu",), ()),
    "phường": (("phường",), ("phuong",), ("p.",)),
    "huyện": (("huyện",), ("huyen",), ()),
    "quận": (("quận",), ("quan",), ("q.",)),
    "tỉnh": (("tỉnh",), ("tinh",), ()),
    "xã": (("xã",), ("xa",), ("x.",)),
}
# One-word prefixes typed without diacritics are also ordinary syllables of names
# ("Xa Phin" is Xà Phìn, "Quan Hoa" is Quan Hóa, "Phuong Trung" is Phương Trung):
# they are taken as prefixes only when enough of a name follows.
_AMBIGUOUS_ASCII = frozenset({"xa", "phuong", "huyen", "quan", "tinh"})


def _build_prefix_re() -> tuple[re.Pattern[str], list[tuple[str, bool]]]:
    """One regex over every prefix form, longest first; group ``p<n>`` is form ``n``.

    Also returns, for each form, its canonical type and whether it is a plain
    (no-diacritics) word form.
    """
    forms: list[tuple[str, str, bool]] = []
    for kind, (full, plain, abbr) in _PREFIX_FORMS.items():
        forms += [(f, kind, f in plain) for f in full + plain + abbr]
    forms.sort(key=lambda f: len(f[0]), reverse=True)
    parts = []
    for n, (form, _, _) in enumerate(forms):
        body = re.escape(form).replace(r"\ ", r"\s+")
        end = r"\s*" if form.endswith(".") else r"(?:\s+|\s*[.:,\-]\s*)"
        parts.append(f"(?P<p{n}>{body}){end}")
    regex = re.compile("(?:" + "|".join(parts) + ")", re.IGNORECASE)
    return regex, [(kind, is_plain) for _, kind, is_plain in forms]


_PREFIX_RE, _PREFIX_INFO = _build_prefix_re()
_ROMAN_RE = re.compile(r"(?=[ivx]+$)(x{0,3})(ix|iv|v?i{0,3})$")
_ROMAN_VALUE = {"i": 1, "v": 5, "x": 10}


def _nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def _missing(x: Any) -> bool:
    if x is None or isinstance(x, str):
        return x is None
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def _is_number(token: str) -> bool:
    return token.isdigit() or _ROMAN_RE.match(token.lower()) is not None


def strip_prefix(name: str) -> tuple[str | None, str]:
    """Split the unit-type prefix from a name.

    Recognised, in any letter case: Xã, Phường, Thị trấn, Thị xã, Thành phố,
    Huyện, Quận, Tỉnh, Đặc khu, their forms without diacritics ("Thi tran") and
    the abbreviations TT., TT, TX., TX, TP., TP, P., X., Q. A one-word prefix
    typed without diacritics ("Xa", "Phuong", "Quan", "Huyen", "Tinh") is also an
    ordinary syllable of names ("Xa Phin" for Xà Phìn, "Quan Hoa" for Quan Hóa),
    so it is stripped only when at least two words or a number follow.

    Parameters
    ----------
    name : str
        A place name.

    Returns
    -------
    prefix_type : str or None
        The canonical unit type (``"xã"``, ``"phường"``, ``"thị trấn"``,
        ``"thị xã"``, ``"thành phố"``, ``"huyện"``, ``"quận"``, ``"tỉnh"``,
        ``"đặc khu"``), or None when there is no prefix.
    rest : str
        The name without the prefix, stripped, case kept.

    Examples
    --------
    >>> strip_prefix("Xã Chiềng Khừa")
    ('xã', 'Chiềng Khừa')
    >>> strip_prefix("TT. Ít Ong")
    ('thị trấn', 'Ít Ong')
    >>> strip_prefix("Thi tran It Ong")
    ('thị trấn', 'It Ong')
    >>> strip_prefix("Xa Phin")
    (None, 'Xa Phin')
    """
    s = _nfc(str(name)).strip()
    m = _PREFIX_RE.match(s)
    if m is None:
        return None, s
    group = next(k for k, v in m.groupdict().items() if v is not None)
    kind, is_plain = _PREFIX_INFO[int(group[1:])]
    written = m.group(group)
    rest = s[m.end():].strip(" .:,-")
    if not rest:
        return None, s
    if (is_plain and written.lower() in _AMBIGUOUS_ASCII and len(rest.split()) < 2
            and not _is_number(rest)):
        return None, s
    return kind, rest


# --- syllables ------------------------------------------------------------------------
_VOWELS = "aăâeêioôơuưy"
_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")
_ONSET_RE = re.compile(r"(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnpqrstvx])?")
_CODA_RE = re.compile(r"ng|nh|ch|[cmnpt]")


def _split_tone(word: str) -> tuple[list[str], str | None] | None:
    """Toneless letters of a lower-case NFC word and its tone mark (None if several)."""
    letters: list[str] = []
    tone = None
    for ch in word:
        d = unicodedata.normalize("NFD", ch)
        marks = [c for c in d if c in _TONE_MARKS]
        if marks:
            if tone is not None or len(marks) > 1:
                return None
            tone = marks[0]
            d = "".join(c for c in d if c not in _TONE_MARKS)
        letters.append(unicodedata.normalize("NFC", d))
    return letters, tone


@functools.lru_cache(maxsize=100_000)
def _canon_word(word: str) -> str:
    """One lower-case syllable with its tone on a fixed vowel and final y after a consonant as i.

    The tone goes on the last vowel with a diacritic (ê, ơ, ...), else on the
    second of two vowels before a final consonant, else on the first of two
    (``hòa``, ``thủy``, ``khỏe``) and the middle of three. Words that are not
    Vietnamese syllables are returned unchanged.
    """
    split = _split_tone(word)
    if split is None:
        return word
    letters, tone = split
    base = "".join(letters)
    onset = _ONSET_RE.match(base).group(0)  # type: ignore[union-attr]
    if onset == "gi" and (len(base) == 2 or base[2] not in _VOWELS):
        onset = "g"  # "gì", "gìn": the i is the vowel
    if onset == "qu" and len(base) == 2:
        onset = "q"
    n0 = len(onset)
    n1 = n0
    while n1 < len(base) and base[n1] in _VOWELS:
        n1 += 1
    nucleus, coda = base[n0:n1], base[n1:]
    if not nucleus or (coda and _CODA_RE.fullmatch(coda) is None):
        return word
    if onset and onset not in ("qu", "gi") and nucleus == "y" and not coda:
        letters[n0] = "i"  # Sỹ = Sĩ, Kỳ = Kì, Lý = Lí (not "uy": Thúy)
    elif onset == "qu" and nucleus == "i" and not coda:
        letters[n0] = "y"  # Quí = Quý: after q the u is not a vowel, "qui" is "quy"
    if tone is None:
        return "".join(letters)
    marked = [i for i, c in enumerate(nucleus) if c in "ăâêôơư"]
    if marked:
        pos = marked[-1]
    elif len(nucleus) == 1:
        pos = 0
    elif len(nucleus) == 2:
        pos = 1 if coda else 0
    else:
        pos = 1
    letters[n0 + pos] = _nfc(letters[n0 + pos] + tone)
    return "".join(letters)


def _canon_token(token: str) -> str:
    return re.sub(r"[^\W\d_]+", lambda m: _canon_word(m.group(0)), token)


def _roman_to_int(token: str) -> int:
    total = 0
    prev = 0
    for ch in reversed(token.lower()):
        v = _ROMAN_VALUE[ch]
        total = total - v if v < prev else total + v
        prev = max(prev, v)
    return total


_SEPARATORS_RE = re.compile(r"[\s\-–—_/.,;:()\[\]\"“”]+")


@functools.lru_cache(maxsize=200_000)
def _normalize(name: str, strip: bool = True) -> str:
    rest = strip_prefix(name)[1] if strip else name
    rest = rest.replace("’", "'").replace("‘", "'").replace("`", "'")
    tokens = [t for t in _SEPARATORS_RE.split(rest) if t]
    out = []
    has_lower = any(c.islower() for c in rest)
    for i, tok in enumerate(tokens):
        low = tok.lower()
        if tok.isdigit():
            out.append(str(int(tok)))
            continue
        if _ROMAN_RE.match(low) and (len(tokens) == 1 or i == len(tokens) - 1):
            # "Phường IV", "Tam Xuân II"; but "Mường Vi", "Pú Xi" are syllables.
            if len(tokens) == 1 or low not in ("vi", "xi") or (tok.isupper() and has_lower):
                out.append(str(_roman_to_int(low)))
                continue
        out.append(_canon_token(low))
    return " ".join(out)


def normalize_name(name: Any) -> str:
    """Reduce a place name to a comparable key that keeps its diacritics.

    NFC, no unit-type prefix (:func:`strip_prefix`), lower case, one space
    between words (hyphens, dots and slashes count as spaces), the tone mark
    on a fixed vowel of each syllable ("hoà" = "hòa", "thuỷ" = "thủy", "khoẻ" =
    "khỏe", and misplaced marks such as "hòang" = "hoàng"), final "y" after a
    consonant written "i" ("Sỹ" = "Sĩ", "Kỳ" = "Kì"; "uy" is kept: "Thúy"; and
    "qui" written "quy": "Quí" = "Quý"),
    numbers without leading zeros and Roman numerals as digits when they are
    the whole name or its last word ("Phường 01" = "Phường I" = "1",
    "Tam Xuân II" = "tam xuân 2"; "Mường Vi" stays a name).

    Parameters
    ----------
    name : str
        A place name. None and NaN give ``""``.

    Returns
    -------
    str

    Examples
    --------
    >>> normalize_name("Xã  Hoà Bình") == normalize_name("hòa bình")
    True
    >>> normalize_name("Phường 01") == normalize_name("Phường I") == "1"
    True
    >>> normalize_name("Thị trấn Mỹ Lộc") == normalize_name("TT. Mĩ Lộc")
    True
    """
    if _missing(name):
        return ""
    return _normalize(_nfc(str(name)).strip())


@functools.lru_cache(maxsize=200_000)
def _fold(s: str) -> str:
    s = unicodedata.normalize("NFD", s.replace("đ", "d").replace("Đ", "D"))
    s = "".join(c for c in s if not unicodedata.combining(c))
    return re.sub(r"[^0-9a-z]", "", s.lower())


def ascii_key(name: Any) -> str:
    """Normalised name without diacritics, đ as d, and without spaces or punctuation.

    Parameters
    ----------
    name : str
        A place name. None and NaN give ``""``.

    Returns
    -------
    str

    Examples
    --------
    >>> ascii_key("Xã Chiềng Khừa")
    'chiengkhua'
    >>> ascii_key("Thi tran Chieng Khua") == ascii_key("TT. Chiềng Khừa")
    True
    """
    return _fold(normalize_name(name))


# --- matching -------------------------------------------------------------------------
_LEVELS = ("exact", "normalized", "ascii")
_COLUMNS = ["query", "code", "matched_name", "method", "score", "alternatives", "group",
            "in_group"]


def _exact_key(name: Any) -> str:
    if _missing(name):
        return ""
    return " ".join(_nfc(str(name)).split())


def _keys(name: Any) -> tuple[str, str, str]:
    return _exact_key(name), normalize_name(name), ascii_key(name)


def _fold_only(norm: str) -> bool:
    """Whether a normalised name has no diacritics (only folding can have changed it)."""
    return norm.isascii()


def _ascii_variants(name: Any) -> list[str]:
    """Other ASCII keys of a name starting with "Xa", "Phuong", "Quan", ... typed plainly.

    Such a word may be a prefix or a syllable of the name; :func:`strip_prefix`
    decides by the length of the rest, and these keys try the other reading.
    """
    if not isinstance(name, str):
        return []
    words = _nfc(name).split()
    if len(words) < 2 or not words[0].isascii() or words[0].lower() not in _AMBIGUOUS_ASCII:
        return []
    return [_fold(_normalize(" ".join(words), strip=False)),
            _fold(_normalize(" ".join(words[1:]), strip=False))]


def _group_key(group: Any) -> str | None:
    if _missing(group):
        return None
    key = ascii_key(group)
    return key or None


class _Index:
    """Candidate rows by exact, normalised and ASCII key, overall and per group."""

    def __init__(self, names: Sequence[Any], codes: Sequence[Any],
                 groups: Sequence[str | None] | None) -> None:
        self.names = list(names)
        self.codes = list(codes)
        self.types = [strip_prefix(n)[0] if isinstance(n, str) else None for n in names]
        self.keys = [_keys(n) for n in names]
        self.groups = list(groups) if groups is not None else [None] * len(self.names)
        self.by_level: list[dict[tuple[str | None, str], list[int]]] = [{}, {}, {}]
        self.members: dict[str | None, list[int]] = {}
        for i, (keys, g) in enumerate(zip(self.keys, self.groups)):
            if not keys[2] and not keys[0]:
                continue
            self.members.setdefault(g, []).append(i)
            if g is not None:
                self.members.setdefault(None, []).append(i)
            for lev, k in enumerate(keys):
                if not k:
                    continue
                self.by_level[lev].setdefault((g, k), []).append(i)
                if g is not None:
                    self.by_level[lev].setdefault((None, k), []).append(i)

    def lookup(self, keys: tuple[str, ...], group: str | None,
               qtype: str | None) -> tuple[str, list[int]] | None:
        """First level with hits: (level, rows), rows reduced to one when the prefix decides.

        ``keys`` are the exact, normalised and ASCII keys, optionally followed by
        more ASCII keys tried last.
        """
        for lev, k in enumerate(keys):
            lev = min(lev, 2)
            if not k:
                continue
            rows = self.by_level[lev].get((group, k))
            if not rows:
                continue
            rows = self._distinct(rows)
            if len(rows) > 1 and qtype is not None:
                same = [r for r in rows if self.types[r] == qtype]
                if len(same) == 1:
                    rows = same
            return _LEVELS[lev], rows
        return None

    def _distinct(self, rows: list[int]) -> list[int]:
        seen: dict[Any, int] = {}
        for r in rows:
            seen.setdefault(self.codes[r], r)
        return list(seen.values())

    def alt(self, row: int, score: float) -> tuple[Any, str, float]:
        return self.codes[row], self.names[row], round(float(score), 1)


def _fuzzy(index: _Index, qkeys: list[str], rows: list[int], k: int = 4,
           chunk_cells: int = 4_000_000) -> list[list[tuple[int, float]]]:
    """Best ``k`` candidate rows (distinct codes) and scores for each query key."""
    from rapidfuzz import fuzz, process

    if not rows or not qkeys:
        return [[] for _ in qkeys]
    choices = [index.keys[r][2] for r in rows]
    step = max(1, chunk_cells // len(choices))
    out: list[list[tuple[int, float]]] = []
    for start in range(0, len(qkeys), step):
        block = qkeys[start:start + step]
        scores = process.cdist(block, choices, scorer=fuzz.ratio, dtype=np.float32,
                               workers=-1)
        kk = min(len(choices), k * 3)
        top = np.argpartition(-scores, kk - 1, axis=1)[:, :kk] if kk < len(choices) else \
            np.tile(np.arange(len(choices)), (len(block), 1))
        for qi in range(len(block)):
            order = top[qi][np.argsort(-scores[qi, top[qi]], kind="stable")]
            best: list[tuple[int, float]] = []
            seen: set[Any] = set()
            for j in order:
                code = index.codes[rows[j]]
                if code in seen:
                    continue
                seen.add(code)
                best.append((rows[j], float(scores[qi, j])))
                if len(best) == k:
                    break
            out.append(best)
    return out


def match_names(
    queries: Sequence[Any],
    candidates: pd.DataFrame,
    *,
    name_col: str = "name",
    code_col: str = "code",
    group_col: str | None = None,
    query_groups: Sequence[Any] | None = None,
    fuzzy_threshold: float = 85,
    ambiguity_margin: float = 3,
    progress: Callable[[float, str], None] | None = None,
) -> pd.DataFrame:
    """Match place names to the codes of a table of units.

    For each query the first level that finds something decides:

    1. ``exact``: the same text (NFC, spaces collapsed);
    2. ``normalized``: the same :func:`normalize_name` (prefix, case, tone
       placement, y/i, numerals);
    3. ``ascii``: the same :func:`ascii_key` (missing or wrong diacritics);
    4. ``fuzzy``: the best :func:`rapidfuzz.fuzz.ratio` between ASCII keys, if
       at least ``fuzzy_threshold`` and ``ambiguity_margin`` above the next
       unit. ``fuzz.ratio`` on whole keys is used rather than ``WRatio``, whose
       partial matching scores "Mộc Châu" against "Nông trường Mộc Châu" at 90.

    Levels 1–2 score 100. An ``ascii`` match scores 100 when the query has no
    diacritics, else the ratio between the normalised names, so that
    conflicting marks ("Hò Sơn" for "Hồ Sơn") stand out.

    When levels 1–3 find several units with different codes, the query's prefix
    decides if exactly one of them has the same unit type ("Xã Tân An" vs
    "Phường Tân An"); otherwise the result is ``ambiguous``, with no code. A
    fuzzy best that is within ``ambiguity_margin`` of the second candidate is
    also ``ambiguous``. Nothing is ever dropped: a query that
    matches nothing is ``none``, with the closest candidates as alternatives.

    With groups (e.g. the district of each query), matching happens inside the
    query's group first (groups are compared by :func:`ascii_key`, so "Huyện
    Mộc Châu" = "Moc Chau"). If the group has no exact/normalised/ASCII match,
    the whole table is searched at those levels (units move between districts:
    ``in_group`` is then False); a unique hit there is taken unless a fuzzy
    match inside the group competes with it, which makes the query
    ``ambiguous``; so is such a unit when another query also matched it (two
    communes of one name in different districts). A query whose group is
    unknown is matched against the whole table.

    Parameters
    ----------
    queries : sequence of str
        Names to match; None/NaN/empty give ``method="none"``.
    candidates : pandas.DataFrame
        The units, with at least ``name_col`` and ``code_col``.
    name_col, code_col : str
        Columns of ``candidates`` with the name and the code.
    group_col : str, optional
        Column of ``candidates`` with the group (district, province).
    query_groups : sequence, optional
        The group of each query, same length as ``queries``. Needs ``group_col``.
    fuzzy_threshold : float, default 85
        Lowest fuzzy score (0–100) accepted as a match.
    ambiguity_margin : float, default 3
        Fuzzy scores closer than this to the best make the query ambiguous.
    progress : callable, optional
        ``progress(fraction, message)`` is called as the work advances.

    Returns
    -------
    pandas.DataFrame
        One row per query, in order: ``query``; ``code`` (None unless matched);
        ``matched_name``; ``method`` in {"exact", "normalized", "ascii",
        "fuzzy", "ambiguous", "none"}; ``score`` (0–100, see above);
        ``alternatives``, a list of up to 3 ``(code, name, score)`` for fuzzy,
        ambiguous and none rows (empty otherwise); ``group`` (the query's group
        or None) and ``in_group`` (whether the match lies in the query's group;
        None without groups or without a match).

    Raises
    ------
    ValidationError
        When a column is missing or the groups do not fit the queries.

    Examples
    --------
    >>> units = pd.DataFrame({"code": ["04024", "04025"],
    ...                       "name": ["Xã Chiềng Khừa", "Xã Lóng Sập"]})
    >>> match_names(["Chieng Khua", "Long Sap", "Chiềng Khoa"], units)[
    ...     ["code", "method"]].values.tolist()
    [['04024', 'ascii'], ['04025', 'ascii'], ['04024', 'fuzzy']]
    """
    problems = [
        Problem(f"Bảng đơn vị thiếu cột '{c}'.", f"The unit table has no column '{c}'.",
                column=c)
        for c in (name_col, code_col, group_col) if c is not None and c not in candidates
    ]
    if problems:
        raise ValidationError("Bảng đơn vị thiếu cột.", "The unit table lacks columns.",
                              problems=problems)
    queries = list(queries)
    if (group_col is None) != (query_groups is None):
        raise ValidationError(
            "Cần cả cột nhóm của bảng đơn vị và nhóm của từng tên.",
            "Give both group_col and query_groups, or neither.")
    if query_groups is not None:
        query_groups = list(query_groups)
        if len(query_groups) != len(queries):
            raise ValidationError(
                f"Có {len(queries)} tên nhưng {len(query_groups)} nhóm.",
                f"{len(queries)} names but {len(query_groups)} groups.")
    if not 0 <= fuzzy_threshold <= 100:
        raise ValidationError("Ngưỡng so khớp gần đúng phải từ 0 đến 100.",
                              "fuzzy_threshold must be between 0 and 100.")

    def report(frac: float, msg: str) -> None:
        if progress is not None:
            progress(frac, msg)

    from rapidfuzz import fuzz

    report(0.0, "index")
    cand_groups = ([_group_key(g) for g in candidates[group_col]]
                   if group_col is not None else None)
    index = _Index(candidates[name_col].tolist(), candidates[code_col].tolist(), cand_groups)
    qgroups = ([_group_key(g) for g in query_groups] if query_groups is not None
               else [None] * len(queries))

    n = len(queries)
    rows: list[dict[str, Any]] = [{} for _ in range(n)]
    pending_global: dict[int, tuple[str, list[int]] | None] = {}
    need_fuzzy: dict[str | None, list[int]] = {}
    qkeys_all = [_keys(q) for q in queries]
    qtypes = [strip_prefix(q)[0] if isinstance(q, str) else None for q in queries]
    # A query starting with a plain "Phuong", "Xa", ... is also tried with that word
    # read the other way (prefix or syllable), after its own keys.
    lookup_keys: list[tuple[str, ...]] = []
    for q, keys in zip(queries, qkeys_all):
        alts = [a for a in _ascii_variants(q) if a and a != keys[2]]
        lookup_keys.append(keys + tuple(dict.fromkeys(alts)))

    def done(i: int, method: str, row: int | None = None, score: float = 100.0,
             alts: list[tuple[Any, str, float]] | None = None,
             in_group: bool | None = None) -> None:
        rows[i] = {
            "code": index.codes[row] if row is not None else None,
            "matched_name": index.names[row] if row is not None else None,
            "method": method, "score": round(float(score), 1), "alternatives": alts or [],
            "in_group": in_group if row is not None else None,
        }

    def settle(i: int, hit: tuple[str, list[int]], in_group: bool | None) -> None:
        level, hits = hit
        if len(hits) == 1:
            score = 100.0
            if level == "ascii" and not _fold_only(qkeys_all[i][1]):
                score = fuzz.ratio(qkeys_all[i][1], index.keys[hits[0]][1])
            done(i, level, hits[0], score, in_group=in_group)
        else:
            done(i, "ambiguous", alts=[index.alt(r, 100) for r in hits[:3]])

    report(0.05, "exact")
    for i, keys in enumerate(lookup_keys):
        if not keys[2] and not keys[0]:
            done(i, "none", score=0)
            continue
        g = qgroups[i]
        grouped = group_col is not None
        if g is not None and g in index.members:
            hit = index.lookup(keys, g, qtypes[i])
            if hit is not None:
                settle(i, hit, True)
                continue
            pending_global[i] = index.lookup(keys, None, qtypes[i])
            need_fuzzy.setdefault(g, []).append(i)
        else:
            hit = index.lookup(keys, None, qtypes[i])
            if hit is not None:
                settle(i, hit, False if grouped and g is not None else None)
                continue
            need_fuzzy.setdefault(None, []).append(i)

    done_fuzzy = 0
    total_fuzzy = sum(len(v) for v in need_fuzzy.values()) or 1
    for g, qidx in need_fuzzy.items():
        report(0.1 + 0.85 * done_fuzzy / total_fuzzy, "fuzzy")
        members = index.members.get(g, [])
        best = _fuzzy(index, [qkeys_all[i][2] for i in qidx], members)
        for i, top in zip(qidx, best):
            alts = [index.alt(r, s) for r, s in top[:3]]
            s1 = top[0][1] if top else 0.0
            s2 = top[1][1] if len(top) > 1 else 0.0
            fuzzy_ok = bool(top) and bool(qkeys_all[i][2]) and s1 >= fuzzy_threshold
            glob = pending_global.get(i)
            in_group = (True if g is not None else
                        (False if group_col is not None and qgroups[i] is not None else None))
            if glob is not None and fuzzy_ok:
                # A unit of this name elsewhere and a near name in the group: a person decides.
                done(i, "ambiguous", score=s1,
                     alts=([index.alt(top[0][0], s1)]
                           + [index.alt(r, 100) for r in glob[1]])[:3])
            elif glob is not None:
                settle(i, glob, False)
            elif fuzzy_ok and len(top) > 1 and s1 - s2 < ambiguity_margin:
                done(i, "ambiguous", score=s1, alts=alts)
            elif fuzzy_ok:
                done(i, "fuzzy", top[0][0], s1, alts, in_group=in_group)
            else:
                done(i, "none", score=s1, alts=alts)
        done_fuzzy += len(qidx)

    # A unit taken from outside a query's group that another query also claims is
    # most likely that other query's unit (two communes of one name): a person decides.
    claims: dict[Any, int] = {}
    for r in rows:
        if r["code"] is not None:
            claims[r["code"]] = claims.get(r["code"], 0) + 1
    for r in rows:
        if r["in_group"] is False and claims[r["code"]] > 1:
            r.update(alternatives=[(r["code"], r["matched_name"], r["score"])], code=None,
                     matched_name=None, method="ambiguous", in_group=None)

    report(1.0, "done")
    out = pd.DataFrame(rows, columns=[c for c in _COLUMNS if c not in ("query", "group")])
    out.insert(0, "query", queries)
    out.insert(len(out.columns) - 1, "group",
               query_groups if query_groups is not None else [None] * n)
    out["code"] = out["code"].astype(object).where(out["code"].notna(), None)
    return out
