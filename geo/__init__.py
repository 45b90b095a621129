"""diaban core: administrative units, storage, ingest, statistics.

The core never imports Streamlit; pages and the CLI call into it.
"""

from pathlib import Path

__all__ = ["DATA_DIR", "__version__"]

__version__ = "0.1.0"

#: Embedded data shipped with the project (catalogs, rules, templates).
DATA_DIR = Path(__file__).resolve().parent.parent / "data"
