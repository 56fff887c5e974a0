"""The layers hold: no module imports from a layer above its own, and no import cycles."""

from __future__ import annotations

import sys
from pathlib import Path

import grimp

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
import import_graph


def test_no_upward_imports_and_no_cycles(capsys):
    assert import_graph.main([]) == 0, capsys.readouterr().err
    assert "shopreport.deck →" in capsys.readouterr().out


def test_an_upward_import_and_a_cycle_are_found():
    graph = grimp.ImportGraph()
    for module in (
        "shopreport.metrics.engine",
        "shopreport.deck.monthly",
        "shopreport.deck.model",
        "shopreport.deck.context",
    ):
        graph.add_module(module)
    graph.add_import(
        importer="shopreport.metrics.engine",
        imported="shopreport.deck.monthly",
        line_number=3,
        line_contents="from shopreport.deck import monthly",
    )
    graph.add_import(importer="shopreport.deck.model", imported="shopreport.deck.context")
    graph.add_import(importer="shopreport.deck.context", imported="shopreport.deck.model")
    assert import_graph.upward_imports(graph) == [
        "shopreport.metrics.engine imports shopreport.deck.monthly (line 3)"
    ]
    assert import_graph.cycles(graph) == [["shopreport.deck.context", "shopreport.deck.model"]]


def test_a_module_outside_every_layer_is_reported():
    graph = grimp.ImportGraph()
    graph.add_module("shopreport.reports")
    assert import_graph.upward_imports(graph) == [
        "shopreport.reports is in no layer: add it to LAYERS in tools/import_graph.py"
    ]
