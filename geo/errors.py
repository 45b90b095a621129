"""The exceptions users see.

Every error raised towards a user carries a Vietnamese and an English message
and, where it applies, the place of the problem (file, row, column). The CLI
and the pages print ``str(err)`` or :meth:`DiabanError.message` — never a
stack trace.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Problem:
    """One problem found in user input.

    Parameters
    ----------
    vi, en : str
        The message in Vietnamese and English.
    file : str, optional
        File name the problem is in.
    row : int, optional
        1-based row number as the user sees it in a spreadsheet (header = row 1).
    column : str, optional
        Column name or letter.
    """

    vi: str
    en: str
    file: str | None = None
    row: int | None = None
    column: str | None = None

    def where(self, lang: str = "vi") -> str:
        """Return the location prefix, e.g. ``"baocao.xlsx, dòng 5, cột gia_tri"``."""
        parts: list[str] = []
        if self.file:
            parts.append(self.file)
        if self.row is not None:
            parts.append(f"{'dòng' if lang == 'vi' else 'row'} {self.row}")
        if self.column:
            parts.append(f"{'cột' if lang == 'vi' else 'column'} {self.column}")
        return ", ".join(parts)

    def message(self, lang: str = "vi") -> str:
        """Return the message with its location in the given language."""
        text = self.vi if lang == "vi" else self.en
        where = self.where(lang)
        return f"{where}: {text}" if where else text

    def to_dict(self) -> dict:
        """Return a JSON-serialisable dict."""
        return {
            "vi": self.vi,
            "en": self.en,
            "file": self.file,
            "row": self.row,
            "column": self.column,
        }


class DiabanError(Exception):
    """Base class for errors shown to users.

    Parameters
    ----------
    vi, en : str
        The message in Vietnamese and English.
    problems : list of Problem, optional
        Detailed problems (e.g. every bad row of an import).
    exit_code : int
        Exit code the CLI uses for this error.
    """

    exit_code = 1

    def __init__(
        self,
        vi: str,
        en: str | None = None,
        problems: list[Problem] | None = None,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.problem = Problem(vi, en or vi, file=file, row=row, column=column)
        self.problems: list[Problem] = list(problems or [])
        super().__init__(self.problem.message("vi"))

    @property
    def vi(self) -> str:
        """Vietnamese message without location."""
        return self.problem.vi

    @property
    def en(self) -> str:
        """English message without location."""
        return self.problem.en

    def message(self, lang: str = "vi", max_problems: int = 50) -> str:
        """Return the full message, with up to ``max_problems`` detail lines."""
        lines = [self.problem.message(lang)]
        for p in self.problems[:max_problems]:
            lines.append("  - " + p.message(lang))
        extra = len(self.problems) - max_problems
        if extra > 0:
            lines.append(
                f"  … và {extra} lỗi khác" if lang == "vi" else f"  … and {extra} more problems"
            )
        return "\n".join(lines)

    def to_dict(self) -> dict:
        """Return a JSON-serialisable dict."""
        d = self.problem.to_dict()
        d["error"] = type(self).__name__
        d["problems"] = [p.to_dict() for p in self.problems]
        return d


class NotFoundError(DiabanError):
    """A unit, indicator, period, batch... that does not exist."""

    exit_code = 3


class ValidationError(DiabanError):
    """User input that is malformed or inconsistent; nothing was stored."""

    exit_code = 4


class AmbiguousError(DiabanError):
    """A name matches several things; the user must say which."""

    exit_code = 5


class PermissionDenied(DiabanError):
    """The current user's role does not allow the action."""

    exit_code = 6


class AuthError(DiabanError):
    """Login failed, session expired or account locked."""

    exit_code = 7


class ResourceError(DiabanError):
    """The machine lacks what the job needs: the database cannot be reached, the disk is
    full. Nothing was changed; the user (or the administrator) fixes the machine and
    runs the job again.
    """

    exit_code = 3
