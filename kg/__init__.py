"""actorgraph: a knowledge graph of political and military actors and their relations.

``kg.open(location)`` gives a ``Graph`` to load files into and ask: ``match``, ``why``,
``blocs``, ``view``, ``export`` and the rest (see ``kg.api``). Importing this package is
cheap on purpose (``kg --help`` must not pay for rdflib): the API is imported on first use.

Data flows one way: sources (files) -> model -> names and record rules -> store ->
load / query / projection -> analyse -> view / export / serve -> api -> cli.
"""

__version__ = "0.1.0"

#: The public names, and the module each is imported from on first use.
_PUBLIC = {
    "open": "kg.api",
    "Graph": "kg.api",
    "Map": "kg.api",
    "relations": "kg.api",
    "Selection": "kg.selection",
    "Table": "kg.table",
    "KgError": "kg.errors",
}
__all__ = ["__version__", *_PUBLIC]


def __getattr__(name: str):
    if name not in _PUBLIC:
        raise AttributeError(f"module 'kg' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(_PUBLIC[name]), name)


def __dir__() -> list[str]:
    return sorted(__all__)
