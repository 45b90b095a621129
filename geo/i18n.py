"""Vietnamese-first user-visible text.

Strings are written inline as pairs, Vietnamese first, so each module keeps its
own text next to its code::

    from geo.i18n import tr
    label = tr("Chỉ tiêu", "Indicator", lang)
"""

from __future__ import annotations

LANGS = ("vi", "en")
DEFAULT_LANG = "vi"


def tr(vi: str, en: str, lang: str = DEFAULT_LANG) -> str:
    """Return ``vi`` or ``en`` by ``lang``.

    Parameters
    ----------
    vi, en : str
        The text in Vietnamese and English.
    lang : {"vi", "en"}
        Language code; anything other than ``"en"`` gives Vietnamese.

    Examples
    --------
    >>> tr("Bản đồ", "Map", "en")
    'Map'
    """
    return en if lang == "en" else vi


def fmt_number(value: float | int | None, lang: str = DEFAULT_LANG, digits: int = 0) -> str:
    """Format a number with Vietnamese separators (``1.234,5``) or English ones.

    Examples
    --------
    >>> fmt_number(1234.5, "vi", 1)
    '1.234,5'
    >>> fmt_number(None)
    '—'
    """
    if value is None or value != value:  # None or NaN
        return "—"
    s = f"{value:,.{digits}f}"
    if lang == "vi":
        s = s.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return s
