"""The password and username policy: what an account may be called and protected by.

Passwords (checked when one is set, never at login, so an older weak password still
opens its account until it is changed):

- at least :data:`MIN_PASSWORD` (10) characters — a passphrase of a few words is the
  easy way there, spaces and Vietnamese letters are welcome — and at most
  :data:`MAX_PASSWORD` (128), so hashing one costs what it should;
- not only spaces, at least :data:`MIN_DISTINCT` different characters;
- not a common password: ``data/common_passwords.txt`` is compared after
  lower-casing and removing separators, and on the word left once leading and
  trailing digits are stripped (``Matkhau@2025`` is ``matkhau``); digits alone
  (a phone number, a date) are refused the same way;
- not the username.

Usernames: 1 to :data:`MAX_USERNAME` (80) letters, digits and ``. _ - @``; checked
before the database is asked anything (a longer name used to reach PostgreSQL,
which refused it with an internal error).
"""

from __future__ import annotations

import functools
import re

from geo.errors import ValidationError

__all__ = [
    "MAX_PASSWORD",
    "MAX_USERNAME",
    "MIN_DISTINCT",
    "MIN_PASSWORD",
    "check_password",
    "check_username",
    "common_passwords",
    "username_ok",
]

#: Shortest password accepted.
MIN_PASSWORD = 10
#: Longest password accepted (longer ones are refused at login without hashing).
MAX_PASSWORD = 128
#: Fewest different characters in a password.
MIN_DISTINCT = 4
#: Longest username (the ``users.username`` column).
MAX_USERNAME = 80

_SEPARATORS = re.compile(r"[\s\-_.@!#$%&*+=~^,;:'\"/\\|?()\[\]{}<>`]")


@functools.cache
def common_passwords() -> frozenset[str]:
    """The refused passwords and base words of ``data/common_passwords.txt``."""
    from geo import DATA_DIR

    path = DATA_DIR / "common_passwords.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(x.strip().lower() for x in lines if x.strip() and not x.startswith("#"))


def _common(password: str) -> bool:
    norm = _SEPARATORS.sub("", password.lower())
    core = norm.strip("0123456789")
    words = common_passwords()
    return norm in words or core in words or core == ""


def check_password(password: str, username: str | None = None) -> str:
    """``password`` when the policy accepts it (module docs).

    Raises
    ------
    ValidationError
        Saying what is wrong, in Vietnamese and English.

    Examples
    --------
    >>> check_password("ba con mèo đen")
    'ba con mèo đen'
    >>> check_password("Password2025!")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    geo.errors.ValidationError: Mật khẩu quá phổ biến hoặc dễ đoán ...
    """
    pw = password if isinstance(password, str) else ""
    if len(pw) < MIN_PASSWORD or not pw.strip():
        raise ValidationError(
            f"Mật khẩu phải có ít nhất {MIN_PASSWORD} ký tự (không tính toàn dấu cách); "
            "một cụm vài từ dễ nhớ là cách dễ nhất.",
            f"The password must have at least {MIN_PASSWORD} characters (not only spaces); "
            "a phrase of a few words is the easy way.")
    if len(pw) > MAX_PASSWORD:
        raise ValidationError(f"Mật khẩu dài quá {MAX_PASSWORD} ký tự.",
                              f"The password is longer than {MAX_PASSWORD} characters.")
    if len(set(pw)) < MIN_DISTINCT or _common(pw):
        raise ValidationError(
            "Mật khẩu quá phổ biến hoặc dễ đoán (như 'matkhau123', 'qwertyuiop', chỉ có số); "
            "hãy dùng một cụm vài từ dễ nhớ.",
            "The password is too common or easy to guess (like 'password123', 'qwertyuiop', "
            "digits only); use a phrase of a few words.")
    if username and pw.lower() == username.lower():
        raise ValidationError("Mật khẩu không được trùng tên đăng nhập.",
                              "The password must not be the username.")
    return password


def username_ok(username: object) -> bool:
    """Whether ``username`` is a valid name (:func:`check_username`), without raising."""
    return (isinstance(username, str) and 0 < len(username) <= MAX_USERNAME
            and all(c.isalnum() or c in "._-@" for c in username))


def check_username(username: str) -> str:
    """``username`` when it has only letters, digits and ``._-@`` (at most 80 characters).

    Raises
    ------
    ValidationError
        For an empty, too long or otherwise spelled name.
    """
    if not username_ok(username):
        raise ValidationError(
            f"Tên đăng nhập chỉ gồm chữ, số và . _ - @ (tối đa {MAX_USERNAME} ký tự).",
            f"A username has only letters, digits and . _ - @ (at most {MAX_USERNAME} "
            "characters).")
    return username
