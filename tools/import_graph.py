"""Draw shopreport's import graph and check its layers: exit 1 on an upward import or a cycle.

    python tools/import_graph.py          # the graph by package, then the checks
    python tools/import_graph.py --dot    # Graphviz DOT (| dot -Tsvg > imports.svg)

The layers, top to bottom (ARCHITECTURE.md explains them). A module may import from its own
layer or any layer below, never above; imports inside functions count too.
"""

from __future__ import annotations

import sys
from collections import defaultdict

import grimp

LAYERS: list[tuple[str, ...]] = [
    ("shopreport.cli", "shopreport.__main__"),
    ("shopreport.batch",),
    ("shopreport.api", "shopreport.terminal"),
    ("shopreport.demo",),
    ("shopreport.render",),
    ("shopreport.deck",),
    ("shopreport.insights",),
    ("shopreport.metrics",),
    ("shopreport.sources",),
    ("shopreport.config",),
    ("shopreport.vocab",),
    ("shopreport.errors", "shopreport.resources", "shopreport.fmt", "shopreport.notes"),
]


def layer_of(module: str) -> int | None:
    """Index of the layer a module belongs to (0 = top), None for the package itself."""
    for index, layer in enumerate(LAYERS):
        if any(module == top or module.startswith(top + ".") for top in layer):
            return index
    return None


def edges(graph: grimp.ImportGraph) -> dict[str, set[str]]:
    """Module → the modules of shopreport it imports."""
    return {m: set(graph.find_modules_directly_imported_by(m)) for m in sorted(graph.modules)}


def upward_imports(graph: grimp.ImportGraph) -> list[str]:
    """'a imports b' for every import from a lower layer to a higher one."""
    out = []
    for module, imported in edges(graph).items():
        for target in sorted(imported):
            low, high = layer_of(module), layer_of(target)
            if low is not None and high is not None and high < low:
                line = graph.get_import_details(importer=module, imported=target)
                where = f" (line {line[0]['line_number']})" if line else ""
                out.append(f"{module} imports {target}{where}")
    unknown = [m for m in graph.modules if layer_of(m) is None and m != "shopreport"]
    out += [
        f"{m} is in no layer: add it to LAYERS in tools/import_graph.py" for m in sorted(unknown)
    ]
    return out


def cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Groups of modules that import each other, directly or through others (Tarjan's SCC)."""
    deps = edges(graph)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(deps.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    sys.setrecursionlimit(10_000)
    for node in deps:
        if node not in index:
            visit(node)
    return found


def package_graph(graph: grimp.ImportGraph) -> dict[str, set[str]]:
    """The graph squashed to top-level packages/modules of shopreport."""

    def top(module: str) -> str:
        return ".".join(module.split(".")[:2])

    out: dict[str, set[str]] = defaultdict(set)
    for module, imported in edges(graph).items():
        for target in imported:
            if top(module) != top(target):
                out[top(module)].add(top(target))
    return out


def main(argv: list[str]) -> int:
    """Print the graph (text or DOT) and the problems; 1 when there are any."""
    graph = grimp.build_graph("shopreport", exclude_type_checking_imports=True)
    packages = package_graph(graph)
    if "--dot" in argv:
        print("digraph shopreport {\n  rankdir=TB;")
        for source in sorted(packages):
            for target in sorted(packages[source]):
                print(f'  "{source}" -> "{target}";')
        print("}")
    else:
        for source in sorted(packages, key=lambda p: (layer_of(p) or 0, p)):
            print(f"{source} → {', '.join(sorted(packages[source]))}")
    problems = upward_imports(graph) + [
        " ↔ ".join(group) + " import each other" for group in cycles(graph)
    ]
    for problem in problems:
        print(f"ERROR: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
