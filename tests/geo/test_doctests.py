"""The examples in the docstrings of the QĐ 28 engine, periods, aggregation and others run."""

import doctest
import importlib

import pytest


@pytest.mark.parametrize("name", ["geo.qd28", "geo.periods", "geo.aggregate", "geo.indicators",
                                  "geo.assessment", "geo.changes", "geo.analysis",
                                  "geo.audit", "geo.ceiling"])
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
