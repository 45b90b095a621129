"""Use cases of backups: back up a database to a portable file, restore one into an empty
database. Both need the ``backup`` right (:mod:`geo.backup` does the work).

A restore target must be empty, so it has no accounts yet: whoever restores acts as
the local administrator there.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from geo.auth import Principal, authorize
from geo.errors import NotFoundError, ValidationError
from geo.services.base import Progress, Request, plain

__all__ = ["BackupRequest", "BackupResult", "RestoreRequest", "RestoreResult", "backup",
           "restore"]


def _path(file: object, column: str = "file") -> Path:
    if not isinstance(file, (str, Path)) or not str(file).strip():
        raise ValidationError("Chưa cho biết tệp.", "No file given.", column=column)
    return Path(file)


@dataclass(frozen=True)
class BackupRequest(Request):
    """Where to write the backup (a ``.zip`` file, replaced when complete)."""

    file: Path

    def check(self) -> BackupRequest:
        """The target is not a folder.

        Raises
        ------
        ValidationError
            No file given, or a folder.
        """
        f = _path(self.file)
        if f.is_dir():
            raise ValidationError(f"'{f}' là thư mục; hãy cho tên tệp .zip.",
                                  f"'{f}' is a folder; give a .zip file name.", file=str(f))
        return replace(self, file=f)


@dataclass(frozen=True)
class BackupResult:
    """A written backup: its file, schema revision, backend and rows per table."""

    file: Path
    revision: str
    backend: str
    created_by: str
    tables: dict[str, int] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        """Rows in all tables."""
        return sum(self.tables.values())

    def to_dict(self) -> dict:
        """Strict-JSON dict."""
        return plain({"file": str(self.file), "revision": self.revision,
                      "backend": self.backend, "created_by": self.created_by,
                      "tables": self.tables})


def backup(req: BackupRequest, who: Principal, db: str | None = None,
           progress: Progress = None) -> BackupResult:
    """Back up every table of ``db`` (``backup``); the file is readable by its owner only.

    Raises
    ------
    PermissionDenied
        ``who`` may not make backups.
    ValidationError
        The database is not initialised.
    """
    from geo.backup import backup as write_backup

    authorize(who, "backup")
    req = req.check()
    m = write_backup(db, req.file, user=who.username, progress=progress)
    return BackupResult(req.file, m["revision"], m["backend"], m["created_by"],
                        {k: v["rows"] for k, v in m["tables"].items()})


@dataclass(frozen=True)
class RestoreRequest(Request):
    """The backup file to restore."""

    file: Path

    def check(self) -> RestoreRequest:
        """The file exists.

        Raises
        ------
        NotFoundError
            No such file.
        """
        f = _path(self.file)
        if not f.is_file():
            raise NotFoundError(f"Không có tệp sao lưu '{f}'.", f"No backup file '{f}'.",
                                file=str(f))
        return replace(self, file=f)


@dataclass(frozen=True)
class RestoreResult:
    """A restored backup: rows per table, the backup's revision and the schema now."""

    file: Path
    tables: dict[str, int]
    revision: str
    schema: str | None

    @property
    def rows(self) -> int:
        """Rows restored in all tables."""
        return sum(self.tables.values())

    def to_dict(self) -> dict:
        """Strict-JSON dict."""
        return plain({"file": str(self.file), "tables": self.tables,
                      "revision": self.revision, "schema": self.schema})


def restore(req: RestoreRequest, who: Principal, db: str | None = None,
            progress: Progress = None) -> RestoreResult:
    """Restore a backup into the new, empty database ``db`` (``backup``); all or nothing.

    Raises
    ------
    PermissionDenied
        ``who`` may not restore.
    ValidationError
        Not a backup, damaged, of an unknown schema, or the target holds data.
    """
    from geo.backup import restore as load_backup

    authorize(who, "backup")
    req = req.check()
    res = load_backup(req.file, db, user=who.username, progress=progress)
    return RestoreResult(req.file, res["tables"], res["revision"], res["schema"])
