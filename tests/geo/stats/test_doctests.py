"""The examples in the statistics docstrings run and give what they show."""

import doctest
import importlib

import pytest

MODULES = ["weights", "rates", "local", "emerging", "transitions"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(f"geo.stats.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
