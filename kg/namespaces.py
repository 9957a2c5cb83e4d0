"""The project's namespaces, defined once, and the prefixes every query and export uses."""

from rdflib import Namespace
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

BASE = "https://w3id.org/actorgraph/"
KGO = Namespace(BASE + "ontology#")
ACTOR = Namespace(BASE + "actor/")
SOURCE = Namespace(BASE + "source/")
STMT = Namespace(BASE + "statement/")
DYAD = Namespace(BASE + "dyad/")
GRAPH = Namespace(BASE + "graph/")
SCHEMA = Namespace("https://schema.org/")
WD = Namespace("http://www.wikidata.org/entity/")

#: Named graph holding the ontology itself, so SPARQL can read labels and the property hierarchy.
ONTOLOGY_GRAPH = GRAPH["ontology"]
#: Named graph holding facts about the store (format version).
META_GRAPH = GRAPH["meta"]
#: Named graph of data loaded from standard input (``kg load -``): one, so a second
#: ``kg load -`` replaces the first as loading a file again does; ``kg drop -`` drops it.
STDIN_GRAPH = GRAPH["stdin"]
#: Where exports name the graph of a loaded file: this, then the file's path relative to the
#: current folder (``kg.rules.portable_graph``), so no export carries a machine's absolute paths.
FILE_GRAPHS = GRAPH["file/"]
#: How standard input is named on the command line, and in messages (``<stdin>:3: ...``).
STDIN, STDIN_NAME = "-", "<stdin>"

PREFIXES = {
    "kgo": KGO,
    "actor": ACTOR,
    "source": SOURCE,
    "stmt": STMT,
    "schema": SCHEMA,
    "wd": WD,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "prov": PROV,
    "dcterms": DCTERMS,
}


def local_name(node: object, namespace: object) -> str:
    """``actor:turkey`` -> ``turkey``: the part of an IRI after one of our namespaces
    (the IRI unchanged if it is not in that namespace)."""
    text, prefix = str(node), str(namespace)
    return text[len(prefix) :] if text.startswith(prefix) else text
