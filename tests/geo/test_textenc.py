"""Tests for geo.textenc: TCVN3 / VNI-Windows / CP1258 decoding and detection."""

from __future__ import annotations

import unicodedata

import pytest

from geo.textenc import (
    _candidates,  # the three decodings, to explain a tie
    decode_tcvn3,
    decode_vni,
    detect_and_decode,
    encode_tcvn3,
    encode_vni,
    fix_text,
    fix_texts,
    is_vietnamese_syllable,
    vietnamese_score,
)

BASES = "aăâeêioôơuưy"
TONES = ["", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"]
LOWER = [unicodedata.normalize("NFC", b + t) for b in BASES for t in TONES] + ["đ"]
TONED_LOWER = [ch for ch in LOWER if ch not in "aeiouy"]  # the 67 non-ASCII letters
ALL_LETTERS = TONED_LOWER + [c.upper() for c in TONED_LOWER]

NAMES = [
    "Mường Khương", "Chiềng Khừa", "Lóng Sập", "Lóng Luông", "Tân Xuân", "Vân Hồ",
    "Mộc Châu", "Sốp Cộp", "Quỳnh Nhai", "Thuận Châu", "Ít Ong", "Nậm Ét", "Phiêng Pằn",
    "Đồng Nai", "Cầu Ngang", "Điện Biên Phủ", "Sông Mã", "Huổi Một", "Xuân Nha",
    "Chiềng Ơn", "Mường Lựm", "Đứa Mòn", "Bản Lầm", "Yên Hưng", "Tường Phù",
]


def _cp1258_bytes(text: str) -> bytes:
    """Encode as CP1258 the way Windows does: base letter + combining tone where needed."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        d = unicodedata.normalize("NFD", ch)
        tone = "".join(c for c in d if c in TONES[1:])
        base = unicodedata.normalize("NFC", "".join(c for c in d if c not in TONES[1:]))
        out += base.encode("cp1258") + tone.encode("cp1258")
    return bytes(out)


def test_there_are_134_letters():
    assert len(ALL_LETTERS) == 134
    assert len(set(ALL_LETTERS)) == 134


# --- exact decoding -------------------------------------------------------------------
def test_guide_examples():
    assert decode_tcvn3("Mêng Kh¬ng") == "Mường Khương"  # soft hyphens lost in the guide
    assert decode_tcvn3("M\xadêng Kh\xad¬ng") == "Mường Khương"  # as in a real DBF
    assert decode_vni("Xin chaøo") == "Xin chào"


@pytest.mark.parametrize(
    ("tcvn3", "unicode"),
    [
        ("B¶o Th¾ng", "Bảo Thắng"),
        ("B¸t X¸t", "Bát Xát"),
        ("ChiÒng Khõa", "Chiềng Khừa"),
        ("Lãng SËp", "Lóng Sập"),
        ("§iÖn Biªn", "Điện Biên"),
        ("Th\xadêng Xu©n", "Thường Xuân"),
        ("¡n ¢u", "Ăn Âu"),
    ],
)
def test_tcvn3_known_words(tcvn3, unicode):
    assert decode_tcvn3(tcvn3) == unicode


@pytest.mark.parametrize(
    ("vni", "unicode"),
    [
        ("Ñieän Bieân Phuû", "Điện Biên Phủ"),
        ("Möôøng Khöông", "Mường Khương"),
        ("Chieàng Khöøa", "Chiềng Khừa"),
        ("Thò traán", "Thị trấn"),
        ("Quyønh Nhai", "Quỳnh Nhai"),
        ("ÑOÀNG NAI", "ĐỒNG NAI"),
        ("Aên AÉt", "Ăn Ắt"),
    ],
)
def test_vni_known_words(vni, unicode):
    assert decode_vni(vni) == unicode


@pytest.mark.parametrize("letter", TONED_LOWER)
def test_tcvn3_round_trip_every_lowercase_letter(letter):
    enc = encode_tcvn3(letter)
    assert len(enc) == 1 and ord(enc) < 256
    assert decode_tcvn3(enc) == letter
    assert decode_tcvn3("b" + enc + "n") == "b" + letter + "n"


def test_tcvn3_codes_are_distinct():
    codes = [encode_tcvn3(ch) for ch in TONED_LOWER]
    assert len(set(codes)) == len(codes)
    assert all(0xA1 <= ord(c) <= 0xFE for c in codes)


@pytest.mark.parametrize("letter", ["Ă", "Â", "Đ", "Ê", "Ô", "Ơ", "Ư"])
def test_tcvn3_uppercase_base_letters_have_own_codes(letter):
    assert encode_tcvn3(letter) != encode_tcvn3(letter.lower())
    assert decode_tcvn3(encode_tcvn3(letter) + "x") == letter + "x"


CASELESS = [c for c in ALL_LETTERS if c.isupper() and c not in "ĂÂĐÊÔƠƯ"]


def test_tcvn3_caseless_letters_are_the_60_with_tones():
    assert len(CASELESS) == 60


@pytest.mark.parametrize("letter", CASELESS)
def test_tcvn3_uppercase_toned_letters_follow_vntimeh(letter):
    # .VnTimeH: capitals with tones share the lower-case code; a word in capitals
    # gets its case back, a title-case word keeps the lower-case tone letter.
    word = "NG" + letter + "NH"
    assert decode_tcvn3(encode_tcvn3(word)) == word
    assert decode_tcvn3(encode_tcvn3(word), vntimeh=False) == "NG" + letter.lower() + "NH"
    assert decode_tcvn3(encode_tcvn3("H" + letter.lower())) == "H" + letter.lower()
    assert decode_tcvn3(encode_tcvn3("Xã " + letter + "t Ong")) == "Xã " + letter + "t Ong"


def test_tcvn3_title_case_stays_title_case():
    assert decode_tcvn3("Hµ Néi") == "Hà Nội"
    assert decode_tcvn3("HOµNG V¡N THô") == "HOÀNG VĂN THỤ"
    assert decode_tcvn3("X· Cæ §«") == "Xã Cổ Đô"
    assert decode_tcvn3("ThÞ trÊn Ýt Ong") == "Thị trấn Ít Ong"
    assert decode_tcvn3("NËm Ðt") == "Nậm Ét"
    assert decode_tcvn3("T«i Ýt ®i") == "Tôi ít đi"


def test_tcvn3_soft_hyphen_restoration_only_when_all_lost():
    # Real TCVN3 with its 0xAD kept: Central Highlands "ơng" names are left alone.
    assert decode_tcvn3("X· Ch\xad P¬ng") == "Xã Chư Pơng"
    assert decode_tcvn3("D¬ng", restore_u=False) == "Dơng"
    assert decode_tcvn3("D¬ng") == "Dương"  # the known cost of guessing on one word


@pytest.mark.parametrize("letter", ALL_LETTERS)
def test_vni_round_trip_every_letter_upper_and_lower(letter):
    enc = encode_vni(letter)
    assert all(ord(c) < 256 for c in enc)
    assert decode_vni(enc) == letter
    assert decode_vni("Th" + enc + "ng") == "Th" + letter + "ng"


def test_vni_sequences_are_distinct():
    seqs = [encode_vni(ch) for ch in ALL_LETTERS]
    assert len(set(seqs)) == len(seqs)


@pytest.mark.parametrize("name", NAMES)
def test_round_trip_names(name):
    assert decode_vni(encode_vni(name)) == name
    assert decode_tcvn3(encode_tcvn3(name)) == name


def test_decoders_leave_unicode_and_ascii_alone():
    assert decode_tcvn3("Mường Khương 2021") == "Mường Khương 2021"
    assert decode_vni("Son La, 2021") == "Son La, 2021"


# --- syllables and scoring ------------------------------------------------------------
@pytest.mark.parametrize(
    "word",
    ["Khương", "nghiêng", "Chiềng", "khuỷu", "giữa", "quý", "hòa", "hoà", "thủy", "thuỷ",
     "Ít", "Ong", "Noong", "ngoẹo", "Chieng", "xoong", "Pơng"],
)
def test_vietnamese_syllables(word):
    assert is_vietnamese_syllable(word)


@pytest.mark.parametrize(
    "word",
    ["Kh¬ng", "chaøo", "Xaõ", "hàt", "mườngg", "áà", "Xin chào", "café", "aị", "Mêng"],
)
def test_not_vietnamese_syllables(word):
    assert not is_vietnamese_syllable(word)


def test_score():
    assert vietnamese_score("Mường Khương") == 1.0
    assert vietnamese_score("Xin chaøo") == 0.5
    assert vietnamese_score("") == 1.0


# --- detection from bytes -------------------------------------------------------------
TEXT = "STT,Xã,Huyện\n1,Chiềng Khừa,Mộc Châu\n2,Lóng Sập,Mộc Châu\n3,Tân Xuân,Vân Hồ\n"


def test_detect_utf8():
    assert detect_and_decode(TEXT.encode()) == (TEXT, "utf-8")
    assert detect_and_decode(b"\xef\xbb\xbf" + TEXT.encode()) == (TEXT, "utf-8")
    assert detect_and_decode(b"plain ascii") == ("plain ascii", "utf-8")


def test_detect_utf8_nfd_is_normalised():
    text, enc = detect_and_decode(unicodedata.normalize("NFD", TEXT).encode())
    assert (text, enc) == (TEXT, "utf-8")


def test_detect_tcvn3():
    raw = encode_tcvn3(TEXT).encode("latin-1")
    assert detect_and_decode(raw) == (TEXT, "tcvn3")


def test_detect_vni():
    raw = encode_vni(TEXT).encode("latin-1")
    assert detect_and_decode(raw) == (TEXT, "vni")


def test_detect_cp1258_is_nfc():
    text, enc = detect_and_decode(_cp1258_bytes(TEXT))
    assert enc == "cp1258"
    assert text == TEXT and unicodedata.is_normalized("NFC", text)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("encoding", ["tcvn3", "vni", "cp1258"])
def test_detect_single_names(name, encoding):
    raw = {
        "tcvn3": lambda: encode_tcvn3(name).encode("latin-1"),
        "vni": lambda: encode_vni(name).encode("latin-1"),
        "cp1258": lambda: _cp1258_bytes(name),
    }[encoding]()
    text, enc = detect_and_decode(raw)
    assert text == name
    if enc != encoding:  # only when the bytes read the same in both encodings
        assert _candidates(raw)[enc] == _candidates(raw)[encoding]


def test_detect_utf8_holding_tcvn3_mojibake():
    # A .VnTime Excel sheet saved as UTF-8 CSV: valid UTF-8, TCVN3 letters.
    raw = encode_tcvn3(TEXT).encode("utf-8")
    assert detect_and_decode(raw) == (TEXT, "tcvn3")


# --- repairing strings decoded with the wrong codec ------------------------------------
def test_fix_text_examples():
    assert fix_text("Mêng Kh¬ng") == ("Mường Khương", "tcvn3")
    assert fix_text("Xin chaøo") == ("Xin chào", "vni")
    assert fix_text("Mường Khương") == ("Mường Khương", None)
    assert fix_text("Chieng Khua") == ("Chieng Khua", None)
    assert fix_text("Hà Tây") == ("Hà Tây", None)
    assert fix_text("") == ("", None)


@pytest.mark.parametrize("name", NAMES)
def test_fix_text_names(name):
    as_read_tcvn3 = encode_tcvn3(name)
    as_read_vni = encode_vni(name)
    assert fix_text(as_read_tcvn3) == (name, "tcvn3")
    # "Ít Ong" is the same in VNI and Unicode: nothing to fix.
    assert fix_text(as_read_vni) == (name, "vni" if as_read_vni != name else None)
    assert fix_text(name) == (name, None)


def test_fix_text_cp1252_reader():
    # A cp1252 reader maps bytes 0x80-0x9f to other characters; they must not break it.
    s = encode_vni("Mường Khương") + " – 2021"
    assert fix_text(s) == ("Mường Khương – 2021", "vni")


def test_fix_texts_one_decision_per_column():
    col = [encode_tcvn3(n) for n in NAMES] + [None, "", "123"]
    fixed, enc = fix_texts(col)
    assert enc == "tcvn3"
    assert fixed[: len(NAMES)] == NAMES
    assert fixed[len(NAMES):] == [None, "", "123"]


def test_fix_texts_keeps_good_unicode():
    fixed, enc = fix_texts(NAMES)
    assert (fixed, enc) == (NAMES, None)


def test_detect_keeps_cp1252_punctuation_in_font_encodings():
    text = "Mường Khương – “Chiềng Khừa”"
    assert detect_and_decode(encode_vni(text).encode("cp1252")) == (text, "vni")
    assert detect_and_decode(encode_tcvn3(text).encode("cp1252")) == (text, "tcvn3")
