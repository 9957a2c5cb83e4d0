"""Alliance analytics over the projection (``kg.projection.project``), with networkx.

Each algorithm module computes one thing on the graph and names the projection edges
and statements behind every answer: ``blocs`` (camps and frustration), ``balance``
(unbalanced triads), ``chains`` (transitive backing), ``paths`` (shortest relation
chains between two actors), ``centrality`` (backers, brokers, bridging mediators).
``reports`` runs them on a store for a ``Selection`` and returns the dataclasses of
``results``: the answer with the ``Claim`` objects behind each item, and its tables.
"""
