"""Vietnamese legacy text encodings: TCVN3 (ABC), VNI-Windows and CP1258.

Older DBF attribute tables and spreadsheets hold Vietnamese in font-based
encodings that Python has no codec for:

- **TCVN3** (TCVN 5712:1993 "VN3", the ABC ".VnTime" fonts): one byte per
  letter, ``"Mêng Kh¬ng"`` is ``"Mường Khương"`` when read as latin-1.
  Upper-case letters *with a tone* do not exist in this encoding: they live in
  the separate ".VnTimeH" fonts on the code points of the lower-case letters,
  so the data holds the lower-case code (``"HOµNG"`` for ``"HOÀNG"``).
- **VNI-Windows**: base letter followed by modifier bytes, ``"Xin chaøo"`` is
  ``"Xin chào"`` when read as latin-1.
- **CP1258** (Windows Vietnamese): Python has the codec, but it uses combining
  tone marks, so the decoded text must be normalised to NFC.

The functions here turn bytes (:func:`detect_and_decode`) or text that a reader
already decoded with the wrong codec (:func:`fix_text`, :func:`fix_texts`)
into Unicode NFC, choosing the encoding by how Vietnamese the result looks
(:func:`vietnamese_score`).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

__all__ = [
    "ENCODINGS",
    "codec_name",
    "decode_as",
    "decode_tcvn3",
    "decode_vni",
    "detect_and_decode",
    "encode_tcvn3",
    "encode_vni",
    "fix_text",
    "fix_texts",
    "is_vietnamese_syllable",
    "vietnamese_score",
]

#: Encoding names returned by :func:`detect_and_decode` and :func:`fix_text`.
ENCODINGS = ("utf-8", "cp1258", "tcvn3", "vni")

# Vowels with their five toned forms, in the order of _TONES.
_VOWELS = "aăâeêioôơuưy"
_TONES = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")  # none, huyền, sắc, hỏi, ngã, nặng
_TONE_MARKS = frozenset(_TONES[1:])


def _toned(vowel: str, tone: int) -> str:
    return unicodedata.normalize("NFC", vowel + _TONES[tone])


# --- TCVN3 ---------------------------------------------------------------------------
# One latin-1 character per lower-case letter, tones in the order of _TONES.
_TCVN3_LOWER = {
    "a": "aµ¸¶·¹",
    "ă": "¨»¾¼½Æ",
    "â": "©ÇÊÈÉË",
    "e": "eÌÐÎÏÑ",
    "ê": "ªÒÕÓÔÖ",
    "i": "i×ÝØÜÞ",
    "o": "oßãáâä",
    "ô": "«åèæçé",
    "ơ": "¬êíëìî",
    "u": "uïóñòô",
    "ư": "\xadõøö÷ù",
    "y": "yúýûüþ",
}
# Letters that have their own code point (no tone): đ and the upper-case bases.
_TCVN3_OTHER = {"đ": "®", "Ă": "¡", "Â": "¢", "Ê": "£", "Ô": "¤", "Ơ": "¥", "Ư": "¦", "Đ": "§"}

_UNI_TO_TCVN3: dict[str, str] = {}
for _v, _codes in _TCVN3_LOWER.items():
    for _t, _c in enumerate(_codes):
        _UNI_TO_TCVN3[_toned(_v, _t)] = _c
_UNI_TO_TCVN3.update(_TCVN3_OTHER)
_TCVN3_TO_UNI = {c: u for u, c in _UNI_TO_TCVN3.items() if c != u}
_TCVN3_TRANS = str.maketrans(_TCVN3_TO_UNI)
# Letters with a tone: TCVN3 has no upper-case form for them.
_TCVN3_CASELESS = frozenset(
    u for u in _UNI_TO_TCVN3 if set(unicodedata.normalize("NFD", u)) & _TONE_MARKS
)

# --- VNI-Windows -------------------------------------------------------------------
# Lower-case sequences, tones in the order of _TONES; upper case is the same
# sequence upper-cased ("AÙ" = "Á").
_VNI_LOWER = {
    "a": ("a", "aø", "aù", "aû", "aõ", "aï"),
    "ă": ("aê", "aè", "aé", "aú", "aü", "aë"),
    "â": ("aâ", "aà", "aá", "aå", "aã", "aä"),
    "e": ("e", "eø", "eù", "eû", "eõ", "eï"),
    "ê": ("eâ", "eà", "eá", "eå", "eã", "eä"),
    "i": ("i", "ì", "í", "æ", "ó", "ò"),
    "o": ("o", "oø", "où", "oû", "oõ", "oï"),
    "ô": ("oâ", "oà", "oá", "oå", "oã", "oä"),
    "ơ": ("ô", "ôø", "ôù", "ôû", "ôõ", "ôï"),
    "u": ("u", "uø", "uù", "uû", "uõ", "uï"),
    "ư": ("ö", "öø", "öù", "öû", "öõ", "öï"),
    "y": ("y", "yø", "yù", "yû", "yõ", "î"),
}
_UNI_TO_VNI: dict[str, str] = {"đ": "ñ", "Đ": "Ñ"}
for _v, _seqs in _VNI_LOWER.items():
    for _t, _seq in enumerate(_seqs):
        _u = _toned(_v, _t)
        _UNI_TO_VNI[_u] = _seq
        _UNI_TO_VNI[_u.upper()] = _seq.upper()
# Decoding accepts a modifier in either case after a base in either case (some
# files mix them); the case of the result follows the first character.
_VNI_TO_UNI: dict[str, str] = {}
for _u, _seq in _UNI_TO_VNI.items():
    if _seq == _u:
        continue
    if len(_seq) == 1:
        _VNI_TO_UNI[_seq] = _u
    else:
        for _mod in {_seq[1].lower(), _seq[1].upper()}:
            _VNI_TO_UNI.setdefault(_seq[0] + _mod, _u)
_VNI_RE = re.compile("|".join(re.escape(k) for k in sorted(_VNI_TO_UNI, key=len, reverse=True)))
_VNI_MODIFIERS = frozenset(
    ch for k in _VNI_TO_UNI for ch in (k[1:] if len(k) == 2 else k)
)

# --- Vietnamese syllables ----------------------------------------------------------
_ONSET = r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|q(?=u)|th|tr|b|c|d|đ|g|h|k|l|m|n|p|r|s|t|v|x)?"
_RHYMES = """
a ai ao au ay ac ach am an ang anh ap at
ăc ăm ăn ăng ăp ăt âc âm ân âng âp ât âu ây
e eo ec em en eng ep et ê êch êm ên ênh êp êt êu
i ia ich im in inh ip it iu iêc iêm iên iêng iêp iêt iêu
o oc oi om on ong op ot oo ooc oong ô ôc ôi ôm ôn ông ôp ôt ơ ơi ơm ơn ơng ơp ơt
u ua uc ui um un ung up ut uôc uôi uôm uôn uông uôt
ư ưa ưc ưi ưm ưn ưng ưt ưu ươc ươi ươm ươn ương ươp ươt ươu
y yêm yên yêng yêt yêu
oa oac oach oai oam oan oang oanh oap oat oay oăc oăm oăn oăng oăt oe oem oen oeo oet
uân uâng uât uây uê uêch uênh uơ uy uya uych uyn uynh uyp uyt uyu uyên uyêt
""".split()
# "ơng" is not Vietnamese but is common in Central Highlands names (Chư Pơng, Kon Dơng).
_SYLLABLE_RE = re.compile(
    rf"{_ONSET}(?P<rhyme>{'|'.join(sorted(_RHYMES, key=len, reverse=True))})"
)

def _fold(s: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c)
    ).replace("đ", "d")


# Text typed without any diacritics ("Chieng Khua") is matched on folded rhymes.
_ASCII_RHYMES = sorted(set(map(_fold, _RHYMES)), key=len, reverse=True)
_ASCII_SYLLABLE_RE = re.compile(rf"{_fold(_ONSET)}(?:{'|'.join(_ASCII_RHYMES)})")
_STOP_CODA = ("p", "t", "c", "ch")
_WORD_STRIP = "\"'()[]{}.,;:!?-–—/\\«»“”‘’…*+=<>|#%&_0123456789"


def _split_tone(word: str) -> tuple[str, str | None, int | None] | None:
    """Lower-case toneless NFC base, tone mark and index of the toned letter (None if >1 tone)."""
    base: list[str] = []
    tone = pos = None
    for i, ch in enumerate(unicodedata.normalize("NFC", word.lower())):
        d = unicodedata.normalize("NFD", ch)
        marks = [c for c in d if c in _TONE_MARKS]
        if marks:
            if tone is not None or len(marks) > 1:
                return None
            tone, pos = marks[0], i
            d = "".join(c for c in d if c not in _TONE_MARKS)
        base.append(unicodedata.normalize("NFC", d))
    return "".join(base), tone, pos


def _tone_positions(rhyme: str) -> set[int]:
    """Indices in ``rhyme`` where a tone mark may stand (either placement style)."""
    n = 0
    while n < len(rhyme) and rhyme[n] in _VOWELS:
        n += 1
    nucleus, has_coda = rhyme[:n], n < len(rhyme)
    marked = [i for i, c in enumerate(nucleus) if c in "ăâêôơư"]
    if marked:
        return {marked[-1]}
    if n == 1:
        return {0}
    if n == 2:
        if has_coda:
            return {1}
        return {0, 1} if nucleus in ("oa", "oe", "uy") else {0}
    return {1}


@functools.lru_cache(maxsize=65536)
def is_vietnamese_syllable(word: str) -> bool:
    """Whether ``word`` is spelled like one Vietnamese syllable.

    The check is orthographic: an onset from the Vietnamese consonant set, a
    rhyme from the list of Vietnamese rhymes, at most one tone mark, standing on
    a vowel that may carry it (old or new placement: "hòa" and "hoà" both
    pass, "xaõ" does not), and only sắc or nặng on syllables closed by p, t, c
    or ch. Words typed without any diacritics (``"Chieng"``, ``"Sop"``) are
    checked on letters only.

    Parameters
    ----------
    word : str
        One word, any case, any normalisation form.

    Returns
    -------
    bool

    Examples
    --------
    >>> is_vietnamese_syllable("Khương"), is_vietnamese_syllable("Kh¬ng")
    (True, False)
    >>> is_vietnamese_syllable("Chieng")
    True
    """
    split = _split_tone(word)
    if split is None:
        return False
    base, tone, pos = split
    if base.isascii() and tone is None:
        return _ASCII_SYLLABLE_RE.fullmatch(base) is not None
    m = _SYLLABLE_RE.fullmatch(base)
    if m is None:
        return False
    if base.endswith(_STOP_CODA) and tone not in ("\u0301", "\u0323"):
        return False  # closed by p, t, c, ch: only sắc or nặng ("ưt" alone is not a word)
    if tone is None:
        return True
    assert pos is not None
    return pos - m.start("rhyme") in _tone_positions(m.group("rhyme"))


def _words(text: str) -> list[str]:
    out = []
    for tok in text.split():
        tok = tok.strip(_WORD_STRIP)
        if tok and any(not c.isascii() or c.isalpha() for c in tok):
            out.append(tok)
    return out


def vietnamese_score(text: str) -> float:
    """Fraction of the words of ``text`` that are Vietnamese syllables.

    Parameters
    ----------
    text : str
        Decoded text.

    Returns
    -------
    float
        0..1; 1.0 when the text has no words at all.

    Examples
    --------
    >>> vietnamese_score("Mường Khương"), vietnamese_score("Xin chaøo")
    (1.0, 0.5)
    """
    words = _words(text)
    if not words:
        return 1.0
    return sum(is_vietnamese_syllable(w) for w in words) / len(words)


# --- Decoders ----------------------------------------------------------------------
def _restore_vntimeh_case(text: str) -> str:
    """Give tone letters back the capitals TCVN3 cannot write (".VnTimeH" convention).

    A line is in capitals when none of its other letters is lower case and some
    word has two capitals: "HOµNG V¡N THô" becomes "HOÀNG VĂN THỤ", while
    "X· Cæ §«" stays "Xã Cổ Đô" (title case). In other lines a word that starts
    with a tone letter is capitalised when the next word is capitalised, or when
    it is the last word and the one before is: "X· Ýt Ong" → "Xã Ít Ong",
    "NËm Ðt" → "Nậm Ét".
    """
    out = []
    for line in text.split("\n"):
        parts = re.split(r"(\w+)", line)
        words = parts[1::2]
        plain = [c for c in line if c.isalpha() and c not in _TCVN3_CASELESS]
        if not any(c.islower() for c in plain) and any(
            sum(c.isupper() for c in w if c not in _TCVN3_CASELESS) >= 2 for w in words
        ):
            out.append(line.upper())
            continue
        for k, w in enumerate(words):
            if w[0] not in _TCVN3_CASELESS:
                continue
            nxt = words[k + 1] if k + 1 < len(words) else None
            prev = words[k - 1] if k > 0 else None
            if (nxt is not None and nxt[0].isupper()) or (
                nxt is None and prev is not None and prev[0].isupper()
            ):
                parts[2 * k + 1] = w[0].upper() + w[1:]
        out.append("".join(parts))
    return "\n".join(out)


# "ơ" + ng/c/u is not Vietnamese; "ươ" + ng/c/u is. TCVN3 writes "ư" as byte 0xAD, the
# soft hyphen, which copy/paste and many tools silently drop ("Mêng" for "M\xadêng").
_LOST_U_RE = re.compile(r"(?<![uưUƯ])[ơờớởỡợƠỜỚỞỠỢ](?=ng|NG|c|C|u|U)")


def decode_tcvn3(s: str, *, vntimeh: bool = True, restore_u: bool | None = None) -> str:
    """Decode TCVN3 (ABC, ".VnTime") text that was read as latin-1 or cp1252.

    Parameters
    ----------
    s : str
        Text whose characters are the TCVN3 bytes read as latin-1/cp1252.
        Characters that are not TCVN3 codes (ASCII, or already Unicode
        Vietnamese) are kept.
    vntimeh : bool, default True
        TCVN3 has no upper-case letters with a tone; ".VnTimeH" fonts draw the
        lower-case codes as capitals. When True, a line whose other letters are
        all capitals, with some word of two capitals or more (``"HOµNG V¡N"``),
        is upper-cased; ``"Hµ Néi"`` stays ``"Hà Nội"``. Names with inner
        capitals and tone letters only ("X· SRã", Xã SRó) come out in capitals.
    restore_u : bool, optional
        TCVN3 "ư" is byte 0xAD, the soft hyphen, which copy/paste and many
        tools drop. When True, an "ư" is put back before "ơ" followed by ng, c
        or u (``"Mêng Kh¬ng"`` → ``"Mường Khương"``); other losses ("mưa" →
        "ma") cannot be seen. By default this is done only when ``s`` holds no
        soft hyphen at all (if one survived, they all did), which still turns
        a lone Central Highlands name such as "Kon D¬ng" (Kon Dơng) into
        "Kon Dương": decode whole columns (:func:`fix_texts`) when you can.

    Returns
    -------
    str
        Unicode NFC.

    Examples
    --------
    >>> decode_tcvn3("Mêng Kh¬ng")
    'Mường Khương'
    """
    if restore_u is None:
        restore_u = "\xad" not in s
    out = unicodedata.normalize("NFC", s).translate(_TCVN3_TRANS)
    if restore_u:
        out = _LOST_U_RE.sub(lambda m: ("Ư" if m.group(0).isupper() else "ư") + m.group(0), out)
    if vntimeh:
        out = _restore_vntimeh_case(out)
    return unicodedata.normalize("NFC", out)


def decode_vni(s: str) -> str:
    """Decode VNI-Windows text that was read as latin-1 or cp1252.

    Parameters
    ----------
    s : str
        Text whose characters are the VNI bytes read as latin-1/cp1252.

    Returns
    -------
    str
        Unicode NFC.

    Examples
    --------
    >>> decode_vni("Xin chaøo")
    'Xin chào'
    """

    def repl(m: re.Match[str]) -> str:
        u = _VNI_TO_UNI[m.group(0)]
        return u.upper() if m.group(0)[0].isupper() else u.lower()

    return unicodedata.normalize("NFC", _VNI_RE.sub(repl, unicodedata.normalize("NFC", s)))


def encode_tcvn3(s: str) -> str:
    """Encode Unicode text as TCVN3, as a latin-1 string (the inverse of :func:`decode_tcvn3`).

    Upper-case letters with a tone become the lower-case code (".VnTimeH"
    convention), so only their case is lost.

    Parameters
    ----------
    s : str
        Unicode text.

    Returns
    -------
    str
        One latin-1 character per byte.
    """
    out = []
    for ch in unicodedata.normalize("NFC", s):
        code = _UNI_TO_TCVN3.get(ch)
        if code is None and ch.isupper() and not ch.isascii():
            code = _UNI_TO_TCVN3.get(ch.lower())
        out.append(code if code is not None else ch)
    return "".join(out)


def encode_vni(s: str) -> str:
    """Encode Unicode text as VNI-Windows, as a latin-1 string (inverse of :func:`decode_vni`).

    Parameters
    ----------
    s : str
        Unicode text.

    Returns
    -------
    str
        One latin-1 character per byte.
    """
    return "".join(_UNI_TO_VNI.get(ch, ch) for ch in unicodedata.normalize("NFC", s))


def _to_bytes(s: str) -> bytes | None:
    """Bytes a latin-1/cp1252 reader would have decoded into ``s`` (None if impossible)."""
    out = bytearray()
    for ch in s:
        o = ord(ch)
        if o < 256:
            out.append(o)
            continue
        try:
            out += ch.encode("cp1252")
        except UnicodeEncodeError:
            return None
    return bytes(out)


def _cp1252_char(i: int) -> str:
    try:
        return bytes([i]).decode("cp1252")
    except UnicodeDecodeError:
        return chr(i)


# Bytes 0x80-0x9f are not letters in TCVN3 (ABC) or VNI-Windows; the fonts show
# them as in cp1252 (dashes, quotes).
_C1_TO_CP1252 = str.maketrans({chr(i): _cp1252_char(i) for i in range(0x80, 0xA0)})


def _font_text(raw: bytes) -> str:
    """Bytes of a font-based encoding as the latin-1/cp1252 text the decoders expect."""
    return raw.decode("latin-1").translate(_C1_TO_CP1252)


def _candidates(raw: bytes, restore_u: bool | None = None) -> dict[str, str]:
    latin = _font_text(raw)
    return {
        "cp1258": unicodedata.normalize("NFC", raw.decode("cp1258", errors="replace")),
        "tcvn3": decode_tcvn3(latin, restore_u=restore_u),
        "vni": decode_vni(latin),
    }


_VIET_LETTERS = frozenset(
    [c for v in _VOWELS for t in range(6) for c in (_toned(v, t), _toned(v, t).upper())]
    + ["đ", "Đ"]
)
_TYPOGRAPHY = frozenset("–—‘’“”…«»°×·\u00a0")


def _penalty(text: str) -> int:
    """Count characters that Vietnamese text does not use (mojibake, controls)."""
    return sum(
        1 for c in text
        if not c.isascii() and c not in _VIET_LETTERS and c not in _TYPOGRAPHY
    )


_ORDER = {"utf-8": 3, "cp1258": 2, "vni": 1, "tcvn3": 0}
_SAMPLE = 200_000


def _best(cands: dict[str, str]) -> str:
    def key(enc: str) -> tuple[float, int, int]:
        t = cands[enc]
        return (round(vietnamese_score(t), 6), -_penalty(t), _ORDER[enc])

    return max(cands, key=key)


def detect_and_decode(raw: bytes) -> tuple[str, str]:
    r"""Decode bytes holding Vietnamese text in an unknown encoding.

    UTF-8 is tried first and strictly (a UTF-8 BOM is dropped). Otherwise the
    bytes are decoded as CP1258, TCVN3 and VNI-Windows and the result whose
    words are most often Vietnamese syllables wins (ties go to CP1258, then
    VNI). Valid UTF-8 whose text is TCVN3/VNI mojibake (a ".VnTime" Excel sheet
    saved as UTF-8 CSV) is repaired with :func:`fix_texts` and reported under
    the legacy encoding's name.

    Parameters
    ----------
    raw : bytes
        File content.

    Returns
    -------
    text : str
        Unicode NFC.
    encoding : {"utf-8", "cp1258", "tcvn3", "vni"}
        The encoding that was recognised.

    Examples
    --------
    >>> detect_and_decode("Mường Khương".encode())
    ('Mường Khương', 'utf-8')
    >>> detect_and_decode(b"M\xeang Kh\xacng")
    ('Mường Khương', 'tcvn3')
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = unicodedata.normalize("NFC", raw.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    else:
        if text.isascii():
            return text, "utf-8"
        fixed, enc = fix_texts([text])
        if enc in ("tcvn3", "vni"):
            return fixed[0], enc
        return text, "utf-8"
    enc = _best(_candidates(raw[:_SAMPLE]))
    return _decode_bytes(raw, enc), enc


def _decode_bytes(raw: bytes, enc: str, restore_u: bool | None = None) -> str:
    if enc == "cp1258":
        return unicodedata.normalize("NFC", raw.decode("cp1258", errors="replace"))
    if enc == "tcvn3":
        return decode_tcvn3(_font_text(raw), restore_u=restore_u)
    return decode_vni(_font_text(raw))


def codec_name(label: str | None) -> str | None:
    """The encoding a ``.cpg`` file, a DBF language byte or a user names, as diaban calls it.

    ``utf-8``, ``cp1258``, ``tcvn3``, ``vni``, or a Python codec name (``cp1252``,
    ``latin-1``…); ``None`` when the label names no encoding Python or diaban knows.

    Examples
    --------
    >>> codec_name("UTF-8"), codec_name("65001"), codec_name("1258"), codec_name("ABC")
    ('utf-8', 'utf-8', 'cp1258', 'tcvn3')
    >>> codec_name("VN3 font") is None
    True
    """
    import codecs

    if label is None:
        return None
    key = re.sub(r"[\s_\-.]", "", str(label).strip().lower())
    if not key:
        return None
    aliases = {"utf8": "utf-8", "65001": "utf-8", "utf8bom": "utf-8", "1258": "cp1258",
               "cp1258": "cp1258", "windows1258": "cp1258", "ansi1258": "cp1258",
               "tcvn3": "tcvn3", "tcvn": "tcvn3", "abc": "tcvn3", "vntime": "tcvn3",
               "tcvn5712": "tcvn3", "vni": "vni", "vniwindows": "vni", "vniwin": "vni",
               "1252": "cp1252", "ansi1252": "cp1252", "ansi": "cp1252", "88591": "latin-1",
               "iso88591": "latin-1", "latin1": "latin-1"}
    if key in aliases:
        return aliases[key]
    try:
        return codecs.lookup(str(label).strip()).name
    except LookupError:
        return None


def decode_as(raw: bytes, encoding: str) -> str:
    r"""Decode bytes with a named encoding, TCVN3 and VNI-Windows included (NFC).

    Parameters
    ----------
    raw : bytes
        The bytes.
    encoding : str
        ``utf-8``, ``cp1258``, ``tcvn3``, ``vni`` or any Python codec.

    Raises
    ------
    UnicodeDecodeError
        When the bytes are not valid in ``encoding`` (UTF-8 and other strict codecs).

    Examples
    --------
    >>> decode_as(b"M\xeang Kh\xacng", "tcvn3")
    'Mường Khương'
    """
    enc = codec_name(encoding) or encoding
    if enc == "tcvn3":
        return decode_tcvn3(_font_text(raw))
    if enc == "vni":
        return decode_vni(_font_text(raw))
    if raw.startswith(b"\xef\xbb\xbf") and enc == "utf-8":
        raw = raw[3:]
    return unicodedata.normalize("NFC", raw.decode(enc))


def fix_texts(values: Iterable[str | None], *, margin: float = 0.15
              ) -> tuple[list[str | None], str | None]:
    """Repair a batch of strings that were decoded with the wrong codec.

    One decision is made for the whole batch (e.g. a DBF column), which is far
    more reliable than deciding string by string. The batch is re-encoded to
    the bytes a latin-1/cp1252 reader saw, decoded as TCVN3, VNI-Windows and
    CP1258, and the best decoding replaces the text only when its share of
    Vietnamese syllables beats the text as given by ``margin``.

    Parameters
    ----------
    values : iterable of str or None
        Strings; None (and other non-strings) pass through unchanged.
    margin : float, default 0.15
        Minimum gain in :func:`vietnamese_score` needed to change anything.

    Returns
    -------
    fixed : list
        The strings, repaired or as given.
    encoding : {"tcvn3", "vni", "cp1258"} or None
        The encoding detected, or None when the text was left as it was.
    """
    vals = list(values)
    texts = [v for v in vals if isinstance(v, str)]
    joined = "\n".join(texts)
    if not joined or joined.isascii():
        return vals, None
    original = unicodedata.normalize("NFC", joined[:_SAMPLE])
    raw = _to_bytes(original)
    if raw is None:  # characters a latin-1/cp1252 reader cannot produce: real Unicode
        return vals, None
    restore_u = "\xad" not in joined  # see decode_tcvn3
    cands = _candidates(raw, restore_u)
    enc = _best(cands)
    if cands[enc] == original:
        return vals, None
    gain = vietnamese_score(cands[enc]) - vietnamese_score(original)
    if gain < margin and not (gain > 0 and _penalty(original) > _penalty(cands[enc])):
        return vals, None
    out: list[str | None] = []
    for v in vals:
        b = _to_bytes(unicodedata.normalize("NFC", v)) if isinstance(v, str) else None
        out.append(_decode_bytes(b, enc, restore_u) if b is not None else v)
    return out, enc


def fix_text(s: str, *, margin: float = 0.15) -> tuple[str, str | None]:
    """Repair one string that a reader decoded as latin-1/cp1252 from TCVN3 or VNI bytes.

    Prefer :func:`fix_texts` on a whole column when you have one: a single
    short name carries little evidence.

    Parameters
    ----------
    s : str
        The string as read.
    margin : float, default 0.15
        See :func:`fix_texts`.

    Returns
    -------
    text : str
        The repaired text, or ``s`` unchanged (NFC) when it looked fine.
    encoding : {"tcvn3", "vni", "cp1258"} or None
        The encoding detected, or None when nothing was changed.

    Examples
    --------
    >>> fix_text("Xin chaøo")
    ('Xin chào', 'vni')
    >>> fix_text("Mường Khương")
    ('Mường Khương', None)
    """
    fixed, enc = fix_texts([s], margin=margin)
    out = fixed[0]
    return (unicodedata.normalize("NFC", out) if isinstance(out, str) else out), enc
