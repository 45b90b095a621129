"""What the fork server of import readers loads once (:mod:`geo.ceiling`).

Every upload is read in a child process with a memory ceiling
(:func:`geo.services.imports.preview`). The children are forked from a server
process that imported this module: the readers, geopandas, GDAL and the units
registry are already loaded, so a child starts in a few hundredths of a second
and does not load the registry again for each file.

Importing this module also makes Arrow (pandas' strings) allocate with
``malloc``: its default allocator reserves address space a gigabyte at a time,
which the ceiling (``RLIMIT_DATA``) would count as used. It is meant to be
imported by that server only.
"""

from __future__ import annotations

import gc
import os

# Before pandas/pyarrow are imported: Arrow reads it when its pool is first made.
os.environ["ARROW_DEFAULT_MEMORY_POOL"] = "system"

import geo.io.boundaries  # noqa: E402, F401 - loaded once for every child
import geo.io.boundary_match  # noqa: E402, F401
import geo.io.incidents  # noqa: E402, F401
import geo.io.indicators  # noqa: E402, F401
import geo.io.raster  # noqa: E402, F401
import geo.io.registers  # noqa: E402, F401
import geo.io.report_sheets  # noqa: E402, F401
import geo.io.tables  # noqa: E402, F401
import geo.services.imports  # noqa: E402, F401
import geo.store  # noqa: E402, F401


def _warm() -> None:
    """Load what nearly every reading needs, once, for every child to inherit."""
    import openpyxl  # noqa: F401 - the readers import these on their first file
    import rasterio.features  # noqa: F401

    from geo.indicators import load_catalog
    from geo.io.placement import registry_places
    from geo.names import normalize_name
    from geo.registry import load_crosswalk, load_units

    for edition in ("legacy", "2025"):
        units = load_units(edition)
        registry_places(edition)
        for name in {*units.name, *units.district_name.dropna()}:
            normalize_name(name)  # cached: names are matched against the registry's
    load_crosswalk()
    load_catalog()


_warm()
# Children share the server's memory page by page until they write to it; the garbage
# collector's passes over these objects would write to every one of them.
gc.freeze()
