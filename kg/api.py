"""The Python API: ``kg.open()`` gives a ``Graph``, and every ``kg`` command is one of its methods.

A ``Graph`` names a store (a folder, ``:memory:`` or a SPARQL server's URL) and opens it
for each call, read-only to ask and writable to load, as the ``kg`` command does: a
notebook left open never holds the store's lock between cells, so ``kg match`` in a
terminal is not kept waiting. A ``:memory:`` store lives as long as its ``Graph``.

Methods return data: tables of row dicts (``kg.table.Table``), analyses as dataclasses
with the claims behind each answer, networkx graphs, rdflib graphs. In Jupyter, tables,
analyses and the map display themselves. The subsystems (SHACL, pyvis, waitress) are
imported by the methods that need them, so a quick question does not pay for them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.errors import KgError
from kg.selection import Selection
from kg.store import MEMORY, Store, open_store, store_location
from kg.store.folder import discard_new_store, new_store_folder
from kg.table import Table

if TYPE_CHECKING:
    from kg.extract import Draft


def open(location: str | Path | None = None) -> Graph:  # noqa: A001 - kg.open, like io.open
    """The graph stored at ``location``.

    Parameters
    ----------
    location
        A store folder (created by the first ``load``), ``":memory:"`` for a throw-away
        store, or a SPARQL server's URL. Default: ``$KG_STORE``, else ``.kg``.

    Examples
    --------
    >>> import kg
    >>> with kg.open(":memory:") as graph:
    ...     _ = graph.load("examples/ain-issa-2020/ain-issa.yaml")
    ...     graph.match("?who backs sna").column("who")
    ['turkey']
    """
    return Graph(location)


class Graph:
    """A knowledge graph of actors and the claims about them; see ``kg.open``."""

    def __init__(self, location: str | Path | None = None) -> None:
        self.location = None if location is None else str(location)
        self._memory: Store | None = open_store(MEMORY) if self.location == MEMORY else None

    def __repr__(self) -> str:
        return f"kg.open({self.location!r})"

    def __enter__(self) -> Graph:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Forget a ``:memory:`` store; folders and servers are closed after each call anyway."""
        if self._memory is not None:
            self._memory.close()
            self._memory = None

    @contextlib.contextmanager
    def _store(self, write: bool = False) -> Iterator[Store]:
        if self._memory is not None:
            yield self._memory
            return
        if self.location == MEMORY:
            raise KgError("this graph is closed")
        new = new_store_folder(store_location(self.location)) if write else None
        store = open_store(self.location, read_only=not write)
        try:
            yield store
        except BaseException:
            empty = new is not None and not store.data_graphs()
            store.close()
            if empty:  # a failed first load leaves no empty store behind
                discard_new_store(*new)
            raise
        store.close()

    # -- writing ------------------------------------------------------------------------------

    def load(
        self,
        *paths: str | Path,
        format: str | None = None,  # noqa: A002 - the CLI's --format
        strict: bool = False,
        actor_map: str | Path | None = None,
        progress: Callable[[str, int], Any] | None = None,
    ) -> list:
        """Load data files and folders, all or nothing; one ``LoadReport`` per file.

        Loading a file again replaces what it loaded before. ``format="gdelt"`` reads
        files as GDELT 2.0 events, ``format="acled"`` as ACLED exports (also known by their
        header); ``strict`` refuses malformed GDELT or ACLED rows instead of
        skipping them; ``actor_map`` extends the shipped actor maps (CAMEO, ACLED); ``progress(label,
        total)`` returns an object with ``update(n)``.

        Examples
        --------
        >>> import kg
        >>> graph = kg.open(":memory:")
        >>> [(r.actors, r.sources, r.assertions) for r in graph.load("examples/ain-issa-2020/")]
        [(14, 1, 26)]
        """
        from kg.loader import load

        with self._store(write=True) as store:
            return load(store, paths, format=format, strict=strict, actor_map=actor_map, progress=progress)

    def drop(self, *paths: str | Path) -> list[str]:
        """Remove what the given files loaded, all or nothing (if one is not loaded, nothing is)."""
        from kg.loader import drop_files

        with self._store(write=True) as store:
            return drop_files(store, paths)

    # -- asking -------------------------------------------------------------------------------

    def info(self) -> dict:
        """Counts of actors by type and assertions by relation, sources, dates, loaded files."""
        from kg.query import info

        with self._store() as store:
            return info(store)

    def actors(self, type: str | None = None, search: str | None = None) -> Table:  # noqa: A002
        """Actors with their type, aliases and Wikidata id; ``search`` matches id, label or alias."""
        from kg.query import actors

        with self._store() as store:
            return actors(store, type, search)

    def sources(self, search: str | None = None, publisher: str | None = None) -> Table:
        """The sources, each with the number of claims resting on it and the first and last
        date reported; ``search`` matches id, title or URL, ``publisher`` the publisher.

        Examples
        --------
        >>> import kg
        >>> graph = kg.open(":memory:")
        >>> _ = graph.load("examples/ain-issa-2020/")
        >>> [(row["id"], row["publisher"], row["claims"]) for row in graph.sources()]
        [('newarab-2020-12-29', 'The New Arab', 26)]
        """
        from kg.query import sources

        with self._store() as store:
            return sources(store, search, publisher)

    def match(
        self,
        *patterns: str,
        evidence: bool = False,
        limit: int | None = None,
        offset: int = 0,
        selection: Selection | None = None,
        **choose: Any,
    ) -> Table:
        """The actors that fit the patterns (``"?who backs sna"``), one row per answer.

        Several patterns join on shared ``?variables``. ``evidence=True`` adds the source,
        date, confidence and quote behind each answer. Choose claims with ``as_of`` and
        ``min_confidence`` (or a ``Selection``). ``limit`` and ``offset`` give one page of
        the rows; the table's ``total`` counts them all.

        Examples
        --------
        >>> import kg
        >>> graph = kg.open(":memory:")
        >>> _ = graph.load("examples/ain-issa-2020/")
        >>> graph.match("?a backs ?b", "?b opposes ypg")
        [{'a': 'turkey', 'b': 'sna'}]
        >>> graph.match("?x negotiates-with turkey", as_of="2018-01-01").column("x")
        ['iran', 'russia']
        """
        from kg.query import match

        with self._store() as store:
            table = match(store, list(patterns), choose_claims(selection, **choose), evidence)
        return table if limit is None and offset == 0 else table.page(limit, offset)

    def why(
        self,
        subject: str,
        relation: str,
        object: str,  # noqa: A002
        limit: int | None = None,
        offset: int = 0,
        selection: Selection | None = None,
        **choose: Any,
    ) -> Table:
        """Every assertion behind one claim: its source, date, confidence and quote.

        ``limit`` and ``offset`` give one page of the rows, in the same order, reading only
        that page's statements in full; the table's ``total`` counts them all.

        Examples
        --------
        >>> import kg
        >>> graph = kg.open(":memory:")
        >>> _ = graph.load("examples/ain-issa-2020/")
        >>> [(row["source"], row["confidence"]) for row in graph.why("Moscow", "backs", "Syrian regime")]
        [('newarab-2020-12-29', 0.95), ('newarab-2020-12-29', 0.6)]
        >>> page = graph.why("Moscow", "backs", "Syrian regime", limit=1)
        >>> [row["confidence"] for row in page], page.total
        ([0.95], 2)
        """
        from kg.query import why

        with self._store() as store:
            return why(store, subject, relation, object, choose_claims(selection, **choose), limit, offset)

    def relations(self) -> Table:
        """The ontology's relations (no store needed); the same as ``kg.relations()``."""
        return relations()

    def sparql(self, query: str, compact: bool = False) -> Table | bool | Any:
        """A SPARQL 1.1 query: rows as a ``Table`` (SELECT), a bool (ASK) or an ``rdflib.Graph``.

        The project's prefixes (kgo:, actor:, ...) are predeclared; SERVICE and updates are
        refused. ``compact`` writes IRIs as prefixed names, as the table output does.

        Examples
        --------
        >>> import kg
        >>> graph = kg.open(":memory:")
        >>> _ = graph.load("examples/ain-issa-2020/")
        >>> graph.sparql("SELECT ?who WHERE { ?who kgo:backs actor:sna }", compact=True)
        [{'who': 'actor:turkey'}]
        >>> graph.sparql("ASK { actor:russia kgo:mediates actor:ypg }")
        True
        """
        from kg.query import sparql

        with self._store() as store:
            result = sparql(store, query, compact=compact)
        if result.kind == "ASK":
            return result.answer
        if result.kind == "CONSTRUCT":
            return result.graph
        return Table(result.rows, result.columns)

    # -- networks and analyses ----------------------------------------------------------------

    def project(self, selection: Selection | None = None, **choose: Any) -> Any:
        """The selected claims as a ``networkx.MultiDiGraph``: one edge per (subject, relation
        family, object) with the claims behind it."""
        from kg.projection import project

        with self._store() as store:
            return project(store, choose_claims(selection, **choose))

    def blocs(self, selection: Selection | None = None, **choose: Any) -> Any:
        """Camps of actors (backing inside, opposition between) and the claims that contradict them.

        Examples
        --------
        >>> import kg
        >>> graph = kg.open(":memory:")
        >>> _ = graph.load("examples/ain-issa-2020/")
        >>> blocs = graph.blocs()
        >>> blocs.camps[1], blocs.frustrated
        (['cavusoglu', 'sna', 'turkey', 'turkish-defence-ministry'], [])
        """
        return self._analyse("blocs", selection, choose)

    def balance(self, selection: Selection | None = None, **choose: Any) -> Any:
        """Structural balance: the unbalanced triads and the share of balanced ones."""
        return self._analyse("balance", selection, choose)

    def contested(self, selection: Selection | None = None, **choose: Any) -> Any:
        """Claims one source asserts and another denies (or contradicts with the opposite
        relation), with both sides' evidence."""
        return self._analyse("contested", selection, choose)

    def about(self, actor: str, selection: Selection | None = None, **choose: Any) -> Any:
        """Everything about one actor: type, aliases, Wikidata id, every relation in and out
        by family (claims, sources, dates), its camp and its processes (a ``Profile``).

        Examples
        --------
        >>> import kg
        >>> graph = kg.open(":memory:")
        >>> _ = graph.load("examples/ain-issa-2020/")
        >>> profile = graph.about("Moscow")
        >>> profile.actor, profile.processes, profile.rows[0]["relation"], profile.rows[0]["other"]
        ('russia', ['astana-process'], 'backs', 'syrian-government')
        """
        from kg.analyse.about import about

        with self._store() as store:
            return about(store, actor, selection=choose_claims(selection, **choose))

    def diff(self, start: str | dt.date, end: str | dt.date, selection: Selection | None = None, **choose: Any) -> Any:
        """What changed between two dates: links that started or ended, pairs that turned from
        allies to enemies (or back), actors that changed camp, appeared or vanished (a ``Diff``).

        Examples
        --------
        >>> import kg
        >>> graph = kg.open(":memory:")
        >>> _ = graph.load("examples/ain-issa-2020/")
        >>> changes = graph.diff("2017-06-01", "2020-12-31", focus="ypg").changes
        >>> sorted((c.a, c.family, c.b) for c in changes if c.kind == "started" and "ypg" in (c.a, c.b))
        [('russia', 'mediates', 'ypg'), ('sna', 'opposes', 'ypg')]
        """
        from kg.analyse.diff import diff

        days = [_day(day, name) for day, name in ((start, "--from"), (end, "--to"))]
        with self._store() as store:
            return diff(store, *days, selection=choose_claims(selection, **choose))

    def chains(self, actor: str, selection: Selection | None = None, **choose: Any) -> Any:
        """Whom ``actor`` backs, directly and through others, and who backs it, with each path."""
        return self._analyse("chains", selection, choose, actor)

    def path(self, a: str, b: str, limit: int = 5, selection: Selection | None = None, **choose: Any) -> Any:
        """The shortest chains of relations linking actors ``a`` and ``b``."""
        return self._analyse("path", selection, choose, a, b, limit=limit)

    def centrality(self, top: int = 5, selection: Selection | None = None, **choose: Any) -> Any:
        """The most connected backers, the brokers, and the mediators between camps."""
        return self._analyse("centrality", selection, choose, top=top)

    def _analyse(self, name: str, selection: Selection | None, choose: dict, *args: Any, **options: Any) -> Any:
        from kg.analyse import reports

        with self._store() as store:
            return getattr(reports, name)(store, *args, selection=choose_claims(selection, **choose), **options)

    # -- drafting ------------------------------------------------------------------------------

    def extract(
        self,
        text: str,
        actors: str | Path | Iterable[str | Path] = (),
        source: str | None = None,
        title: str | None = None,
        url: str | None = None,
        date: str | dt.date | None = None,
        publisher: str | None = None,
        html: bool = False,
    ) -> Draft:
        """Draft the claims a news article makes, for review: nothing is written to the store.

        Actors are found by the labels and aliases of the actors the store knows, and of the
        ``actors`` data files (YAML, JSON or CSV in the loader's format). ``source`` is the id
        of a source in the store; otherwise ``title`` (default: the article's first line),
        ``url``, ``date`` (default: today) and ``publisher`` describe a new one. ``html``
        reads ``text`` as a web page and keeps its main text (the ``html`` extra). Write
        ``draft.to_yaml()`` to a file, edit it, then ``load`` it.

        Examples
        --------
        >>> import kg
        >>> graph = kg.open(":memory:")
        >>> _ = graph.load("examples/ain-issa-2020/ain-issa.yaml")
        >>> article = Path("examples/ain-issa-2020/article.txt").read_text(encoding="utf-8")
        >>> draft = graph.extract(article, source="newarab-2020-12-29")
        >>> for claim in draft.claims[:3]:
        ...     print(claim.subject, claim.relation, *claim.objects, claim.stance)
        turkey backs sna asserted
        sna clashes-with ypg alleged
        russia backs syrian-government asserted
        """
        from kg.extract import extract, known_actors, new_source

        if html:
            from kg.extract.html import main_text

            text = main_text(text)
        files = [actors] if isinstance(actors, str | Path) else list(actors)
        if source is not None and any(given is not None for given in (title, url, date, publisher)):
            raise KgError("give a source id, or a new source's title, url, date and publisher, not both", field="source")
        no_store = self._memory is None and new_store_folder(store_location(self.location)) is not None
        if no_store:
            known = known_actors(None, files)
        else:
            with self._store() as store:
                known = known_actors(store, files)
                if source is not None and not store.sources([source]):
                    raise KgError(
                        f"unknown source {source!r}: load it first, or describe a new one with title, url and date", field="source"
                    )
        if source is not None and no_store:
            raise KgError(f"unknown source {source!r}: there is no store yet", field="source")
        if not known:
            raise KgError("no actors known: load data first (kg load) or name a file of actors (--actors FILE)")
        if source is None:
            first = next((line.strip() for line in text.splitlines() if line.strip()), "article")
            source = new_source(title or first[:200], url=url, date=date, publisher=publisher)
        return extract(text, known, source)

    # -- outputs ------------------------------------------------------------------------------

    def export(
        self,
        format: str = "turtle",  # noqa: A002
        output: str | Path | None = None,
        *,
        truthy_only: bool = False,
        include_ontology: bool = False,
        selection: Selection | None = None,
        **choose: Any,
    ) -> bytes | dict[str, bytes] | list[Path]:
        """The graph for other tools: RDF (turtle, nt, json-ld, xml, trig, nquads) or a network
        (graphml, gexf, csv).

        Without ``output``: the bytes (csv: ``{"actors": ..., "relations": ...}``). With it:
        the files are written atomically and their paths returned.

        Examples
        --------
        >>> import kg
        >>> graph = kg.open(":memory:")
        >>> _ = graph.load("examples/ain-issa-2020/")
        >>> graph.export("nt", truthy_only=True, relations=["mediates"]).count(b"mediates>")
        2
        """
        from kg.export import export, export_to

        options = {"selection": choose_claims(selection, **choose), "truthy_only": truthy_only, "include_ontology": include_ontology}
        with self._store() as store:
            if output is not None:
                return export_to(store, format, output, **options)
            parts = export(store, format, **options)
        return parts[""] if set(parts) == {""} else parts

    def view(
        self,
        output: str | Path | None = None,
        *,
        title: str = "actorgraph: alliances",
        types: tuple[str, ...] = (),
        color_by: str = "type",
        diff: tuple[str | dt.date, str | dt.date] | None = None,
        max_lines: int | None = 5000,  # kg.view.MAX_LINES: kg.view is imported only to draw
        selection: Selection | None = None,
        **choose: Any,
    ) -> Map:
        """The interactive alliance map: one self-contained, offline HTML page.

        Shown inline in Jupyter; ``output`` also writes it (atomically). ``color_by`` is
        ``"type"`` or ``"bloc"``; ``types`` keeps only actors of those types. At most
        ``max_lines`` lines are drawn (None: all): the best-sourced; ``Map.left_out`` counts
        the others (a browser draws a few thousand lines, not the 130k of a 1M-claim graph).
        ``diff=(FROM, TO)`` draws what changed between the two dates instead: the map of TO with
        the lines gained since FROM glowing and those lost by TO ghosted (``kg.view.diffmap``).

        Examples
        --------
        >>> import kg
        >>> graph = kg.open(":memory:")
        >>> _ = graph.load("examples/ain-issa-2020/")
        >>> page = graph.view(focus="ypg")
        >>> page.nodes, page.path
        (4, None)
        >>> graph.view(diff=("2017-06-01", "2020-12-31")).edges > 0
        True
        """
        from kg.view import build_view, write_view
        from kg.view.diffmap import build_diff_view

        if color_by not in ("type", "bloc"):
            raise KgError(f"color_by is 'type' or 'bloc', not {color_by!r}", field="--color-by")
        if max_lines is not None and max_lines < 1:
            raise KgError("--max-lines must be 1 or more", field="--max-lines")
        with self._store() as store:
            chosen = choose_claims(selection, **choose)
            if diff is None:
                page = build_view(store, chosen, title, tuple(types), color_by == "bloc", max_lines)
            else:
                start, end = (_day(day, "--diff") for day in diff)
                page = build_diff_view(store, start, end, chosen, title, tuple(types), color_by == "bloc", max_lines)
        if output is not None:
            write_view(page, Path(output))
        return Map(page.html, page.nodes, page.edges, page.large, None if output is None else Path(output), page.left_out)

    def validate(self, *paths: str | Path, format: str | None = None) -> Any:  # noqa: A002
        """Check data files (names may refer to actors in the store) or, without paths, the
        store itself against the ontology's shapes; every problem with file, line and field.
        ``"-"`` is standard input, read as ``format`` (yaml, json, csv, ttl, nt, jsonld, ...)."""
        from kg.validate import validate_files, validate_store

        if not paths:
            with self._store() as store:
                return validate_store(store)
        with contextlib.ExitStack() as stack:
            try:
                store = stack.enter_context(self._store())
            except KgError:  # no store yet: the files are checked on their own
                store = None
            return validate_files(paths, store, format)

    def serve(self, **options: Any) -> None:
        """Serve the store read-only over the SPARQL 1.1 Protocol until Ctrl-C; the options
        are ``kg.serve.serve``'s (host, port, timeout, max_bytes, ...)."""
        from kg.serve import serve

        serve(self.location, **options)


@dataclass(frozen=True)
class Map:
    """The alliance map: the page, its size, and where it was written (if it was)."""

    html: str
    nodes: int
    edges: int
    large: bool  # physics off: too many actors for a live layout
    path: Path | None = None
    left_out: int = 0  # lines not drawn: past max_lines, the least sourced

    def _repr_html_(self) -> str:
        """The same offline page in a sandboxed frame: its scripts run, the notebook's do not mix."""
        return (
            f'<iframe srcdoc="{html.escape(self.html, quote=True)}" sandbox="allow-scripts" '
            'style="width: 100%; height: 640px; border: 1px solid #ddd"></iframe>'
        )


def relations() -> Table:
    """The ontology's relations: name, the relation it rolls up to, inverse, symmetry, CAMEO codes.

    Examples
    --------
    >>> import kg
    >>> "backs" in kg.relations().column("name")
    True
    """
    from kg.query import relations as ontology_relations

    return ontology_relations()


def choose_claims(selection: Selection | None = None, **choose: Any) -> Selection:
    """A ``Selection`` from keywords (``as_of``, ``min_confidence``, ``relations``, ``focus``,
    ``depth``), or the one given; ``as_of`` may be a date or ``"YYYY-MM-DD"``.

    Examples
    --------
    >>> choose_claims(as_of="2020-12-31", min_confidence=0.8)
    Selection(as_of=datetime.date(2020, 12, 31), min_confidence=0.8, relations=(), focus=None, depth=1, stances=('asserted',))
    """
    if selection is not None:
        if choose:
            raise KgError(f"give a selection or {', '.join(sorted(choose))}, not both")
        return selection
    unknown = set(choose) - {"as_of", "min_confidence", "relations", "focus", "depth", "stances"}
    if unknown:
        names = "as_of, min_confidence, relations, focus, depth, stances"
        raise KgError(f"unknown option {sorted(unknown)[0]!r}: claims are chosen by {names}")
    if isinstance(choose.get("as_of"), str | dt.date):  # a datetime too
        choose["as_of"] = _day(choose["as_of"])
    for name in ("relations", "stances"):
        if isinstance(choose.get(name), str):
            choose[name] = tuple(part.strip() for part in choose[name].split(",")) if name == "stances" else (choose[name],)
        if name in choose:
            choose[name] = tuple(choose[name])
    return Selection(**choose)


def _day(value: str | dt.date, name: str = "as_of") -> dt.date:
    """A date given as ``"YYYY-MM-DD"``, a date or a datetime."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise KgError(f"{name} {value!r} is not a date (YYYY-MM-DD)", field=name) from None
