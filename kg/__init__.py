"""actorgraph: a knowledge graph of political and military actors and their relations.

Data flows one way: ``kg.sources`` (files) -> ``kg.model`` (Actor, Source,
Assertion) -> ``kg.store`` (an rdflib Dataset on Oxigraph) -> ``kg.query`` ->
``kg.cli``. Importing this package is cheap on purpose: ``kg --help`` must not
pay for rdflib.
"""

__version__ = "0.1.0"
