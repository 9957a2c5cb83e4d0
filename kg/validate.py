"""SHACL validation of a graph against ``ontology/shapes.ttl`` with pySHACL.

The loader enforces the same rules in Python with file/line messages; this is the
standard, tool-independent statement of what a valid graph is (and the check other
producers of our RDF can run).
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph
from rdflib.namespace import SH

from kg.ontology import load_ontology, ontology_path


@dataclass(frozen=True, order=True)
class Violation:
    focus: str
    path: str
    message: str


def shacl_violations(data: Graph) -> list[Violation]:
    """Every SHACL violation of ``data`` (empty when valid)."""
    from pyshacl import validate

    shapes = Graph().parse(ontology_path("shapes.ttl"), format="turtle")
    # The whole ontology is mixed in (not pySHACL's ont_graph, which copies only the class
    # axioms): sh:class kgo:Relation needs the relations' own rdf:type triples.
    combined = data + load_ontology().graph
    conforms, report, _ = validate(combined, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=False)
    if conforms:
        return []
    return sorted(
        Violation(
            focus=str(report.value(result, SH.focusNode)),
            path=str(report.value(result, SH.resultPath) or ""),
            message=str(report.value(result, SH.resultMessage) or ""),
        )
        for result in report.subjects(SH.resultSeverity, SH.Violation)
    )
