"""diaban core: administrative units, storage, ingest, statistics.

The core never imports Streamlit; pages and the CLI call into it.
"""

import os as _os
from pathlib import Path

__all__ = ["DATA_DIR", "__version__"]

__version__ = "0.1.0"

#: Embedded data shipped with the project (catalogs, rules, templates).
DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def _numba_cache_dir() -> None:
    """Point numba's on-disk cache at diaban's folder, one per numba and Python version.

    Set here, before anything can import numba (esda's kernels), so that every
    process of every diaban install reads and writes the same cache and never a mix
    of it and the ``__pycache__`` folders of installed packages; a numba or Python
    upgrade starts a fresh folder instead of reading entries another version wrote.
    ``NUMBA_CACHE_DIR`` set by the user wins.
    """
    if "NUMBA_CACHE_DIR" in _os.environ:
        return
    import sys
    from importlib.metadata import PackageNotFoundError, version

    try:
        tag = f"numba-{version('numba')}-py{sys.version_info[0]}.{sys.version_info[1]}"
    except PackageNotFoundError:
        return
    _os.environ["NUMBA_CACHE_DIR"] = _os.path.join(
        _os.path.expanduser("~"), ".cache", "diaban", "numba", tag)


_numba_cache_dir()
