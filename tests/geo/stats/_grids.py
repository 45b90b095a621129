"""Small synthetic layers shared by the statistics tests."""

import geopandas as gpd
import numpy as np
from shapely import box


def grid(n: int = 10, crs: int | None = 3857) -> gpd.GeoDataFrame:
    """n × n unit squares, codes c000... row by row from the bottom left."""
    cells = [box(i, j, i + 1, j + 1) for j in range(n) for i in range(n)]
    return gpd.GeoDataFrame({"code": [f"c{k:03d}" for k in range(n * n)]}, geometry=cells,
                            crs=crs)


def block(n: int, i0: int, j0: int, size: int = 3) -> list[int]:
    """Positions of a size × size block whose lower-left cell is (i0, j0)."""
    return [(j0 + dj) * n + i0 + di for dj in range(size) for di in range(size)]


def noise(n_units: int, seed: int = 1) -> np.ndarray:
    """Continuous positive values without ties."""
    return np.random.default_rng(seed).uniform(5, 10, n_units)
