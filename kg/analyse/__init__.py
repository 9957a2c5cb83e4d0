"""Alliance analytics over the projection (``kg.projection.project``), with networkx.

Each module computes one thing and returns plain data that names the claims behind
every answer: ``blocs`` (camps and frustration), ``balance`` (unbalanced triads),
``chains`` (transitive backing), ``paths`` (shortest relation chains between two
actors), ``centrality`` (backers, brokers, bridging mediators).
"""
