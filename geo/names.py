"""Vietnamese place-name normalisation (minimal; matching grows here)."""

from __future__ import annotations

import re
import unicodedata

_PREFIXES = [
    "thành phố", "thị trấn", "thị xã", "đặc khu", "phường", "huyện", "quận", "tỉnh", "xã",
    "tp.", "tx.", "tt.", "tp", "tx", "tt", "p.", "x.",
    # Written without diacritics.
    "thanh pho", "thi tran", "thi xa", "dac khu", "phuong", "huyen", "quan", "tinh", "xa",
]
# Old-style tone placement → new style (hoà → hòa, thuỷ → thủy, ...)
_TONE_FIX = {
    "oà": "òa", "oá": "óa", "oả": "ỏa", "oã": "õa", "oạ": "ọa",
    "oè": "òe", "oé": "óe", "oẻ": "ỏe", "oẽ": "õe", "oẹ": "ọe",
    "uỳ": "ùy", "uý": "úy", "uỷ": "ủy", "uỹ": "ũy", "uỵ": "ụy",
}


def _nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def strip_prefix(name: str) -> tuple[str | None, str]:
    """Split a unit-type prefix from a name: ``"Xã Chiềng Khừa"`` → ``("xã", "Chiềng Khừa")``."""
    s = _nfc(name).strip()
    low = s.lower()
    for p in _PREFIXES:
        if low.startswith(p) and (len(s) == len(p) or not s[len(p)].isalnum()):
            return p, s[len(p):].strip(" .")
    return None, s


def normalize_name(name: str) -> str:
    """NFC, lower case, no prefix, one space, new-style tone placement.

    Examples
    --------
    >>> normalize_name("Xã  Hoà Bình") == normalize_name("hòa bình")
    True
    """
    _, rest = strip_prefix(str(name))
    s = re.sub(r"\s+", " ", rest.lower()).strip()
    for a, b in _TONE_FIX.items():
        s = s.replace(a, b)
    return s


def ascii_key(name: str) -> str:
    """Normalised name without diacritics or spaces (``"Xã Chiềng Khừa"`` → ``"chiengkhua"``)."""
    s = normalize_name(name).replace("đ", "d")
    s = unicodedata.normalize("NFD", s)
    s = "".join(c for c in s if unicodedata.category(c) != "Mn")
    return re.sub(r"[^0-9a-z]", "", s)
