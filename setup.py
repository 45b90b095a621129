"""The diaban wheel's layout; the project's metadata is in ``pyproject.toml``.

The checkout keeps its fixed layout (``data/``, ``app.py``, ``pages/`` and ``static/``
at the top); the wheel maps them into packages so that an installed diaban has
everything it reads at run time:

- ``geo``, ``layers`` and their subpackages, with the Alembic environment and
  migrations (``geo/migrations``, template included) and the vendored map assets
  (``layers/static``) as package data;
- ``data/`` → ``geo/data`` (catalogs, rules, zones; :data:`geo.DATA_DIR`);
- ``app.py``, ``pages/``, ``static/`` and ``.streamlit/config.toml`` → ``diaban_app``
  (the Streamlit app; ``diaban app`` runs it).

``tests/test_packaging.py`` builds the wheel, installs it into a fresh environment
and runs diaban from there.
"""

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

#: The core packages, found (a new subpackage needs no change here).
CORE = find_packages(include=["geo", "geo.*", "layers", "layers.*"])


class BuildPy(build_py):
    """``diaban_app`` is the checkout's top folder: take ``app.py`` from it, nothing else."""

    def find_package_modules(self, package: str, package_dir: str) -> list:
        """The package's modules (for ``diaban_app``, only ``app``)."""
        modules = super().find_package_modules(package, package_dir)
        if package == "diaban_app":
            modules = [m for m in modules if m[1] == "app"]
        return modules


setup(
    packages=[*CORE, "geo.data", "diaban_app", "diaban_app.pages"],
    package_dir={"geo.data": "data", "diaban_app": ".", "diaban_app.pages": "pages"},
    package_data={
        "geo": ["migrations/*.py", "migrations/*.mako", "migrations/versions/*.py"],
        "geo.data": ["*.json", "*.txt"],
        "layers": ["static/**/*"],
        "diaban_app": ["static/*", ".streamlit/config.toml"],
    },
    include_package_data=False,
    cmdclass={"build_py": BuildPy},
)
