"""The ``kg`` command: parses arguments, makes one call of the Python API (``import kg``), formats the result.

The API imports rdflib and friends on first use, so ``kg --help`` stays fast.
Exit status: 0 success, 1 a user error (bad input, unknown name, busy store), 2 bad usage.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import functools
import gc
import json
import logging
import sys
import time

import click

import kg
from kg import __version__
from kg.gcpause import without_gc
from kg.model import INPUT_FORMATS, STANCES
from kg.output import visible

FORMAT_OPTION = click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True, help="Output format."
)


def filter_options(command):
    """``--as-of`` and ``--min-confidence``, shared by the commands that read assertions."""
    command = click.option("--min-confidence", type=click.FloatRange(0, 1), help="Only claims with at least this confidence.")(command)
    return click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), help="Only claims holding on this date (YYYY-MM-DD).")(command)


def page_options(command):
    """``--limit`` and ``--offset``: one page of a long answer (the table format shows 50 rows by default)."""
    command = click.option("--offset", type=click.IntRange(0), default=0, show_default=True, help="Skip this many rows first.")(command)
    return click.option("--limit", type=click.IntRange(0), help="Show at most this many rows (table: 50 unless given; json, csv: all).")(
        command
    )


#: The rows the table format shows when no ``--limit`` is given.
TABLE_PAGE = 50


def _page(fmt: str, limit: int | None) -> int | None:
    return TABLE_PAGE if limit is None and fmt == "table" else limit


def _page_note(table, offset: int) -> None:
    """Say on stderr which rows a page shows, when there are more."""
    if table.total > len(table):
        shown = f"rows {offset + 1}-{offset + len(table)}" if table else "no rows"
        more = f"; --offset {offset + len(table)} for the next" if offset + len(table) < table.total else ""
        click.echo(f"{shown} of {table.total:,}{more}", err=True)


def _stances(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    chosen = tuple(dict.fromkeys(part.strip().lower() for part in value.split(",") if part.strip()))
    unknown = [s for s in chosen if s not in STANCES]
    if unknown or not chosen:
        raise click.BadParameter(f"{value!r}: give stances from {', '.join(STANCES)}, separated by commas")
    return chosen


def stance_option(command):
    """``--stance``: which claims count as answers; facts (asserted claims) by default."""
    return click.option(
        "--stance",
        "stances",
        metavar="LIST",
        callback=_stances,
        help="Claims of these stances count: asserted (default), alleged, denied, comma-separated (e.g. asserted,alleged).",
    )(command)


#: The commands that write the store: the cycle collector runs through them as usual. The
#: others build their answer with it paused (``without_gc``): reference counting frees what
#: they build, and the few cycles (rdflib's query results) last until the process ends.
WRITERS = frozenset({"load", "drop"})

# The process ends after one command: the interpreter's last collection would only walk every
# object the command built (4 s after blocs at 1M), so it is left nothing to walk.
atexit.register(gc.freeze)


def with_graph(command):
    """Hand the command the graph named by ``--store`` (``kg.open``: opened for each call)."""

    @functools.wraps(command)
    @click.pass_context
    def wrapper(ctx: click.Context, *args, **kwargs):
        run = command if ctx.command.name in WRITERS else without_gc(command)
        with kg.open(ctx.obj["store"]) as graph:
            return run(graph, *args, **kwargs)

    return wrapper


def _choose(as_of: dt.datetime | None, min_confidence: float | None, relations=(), focus=None, depth=1, stances=None) -> dict:
    """The claim-selection options as ``kg.Graph`` keywords."""
    chosen = {"as_of": as_of.date() if as_of else None, "min_confidence": min_confidence, "relations": tuple(relations)}
    chosen |= {"focus": focus, "depth": depth}
    return chosen | ({"stances": stances} if stances else {})


def _progress_bar(bars: contextlib.ExitStack):
    """A factory of click progress bars (count, rate and ETA) on a terminal; nothing when piped."""
    if not sys.stderr.isatty():
        return None

    def start(label: str, total: int):
        bar = bars.enter_context(click.progressbar(length=total, label=label, file=sys.stderr, show_pos=True, show_eta=True))
        return _WithRate(bar, label)

    return start


class _WithRate:
    """A click progress bar whose label also says how many items a second go by."""

    def __init__(self, bar, label: str) -> None:
        self.bar, self.label = bar, label
        self.started = time.monotonic()

    def update(self, n: int) -> None:
        elapsed = time.monotonic() - self.started
        if elapsed > 0:
            self.bar.label = f"{self.label} ({(self.bar.pos + n) / elapsed:,.0f}/s)"
        self.bar.update(n)


def emit(rows: list[dict], columns: list[str], fmt: str, vertical: bool = False, empty: str = "no results", cut: bool = True) -> None:
    from kg.output import render

    if not rows and fmt == "table":
        click.echo(empty, err=True)
        return
    click.echo(render(rows, columns, fmt, vertical, cut))


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--store",
    envvar="KG_STORE",
    metavar="DIR|URL",
    help="Store folder (default: .kg in the current folder, or $KG_STORE); ':memory:' for a throw-away store; "
    "or a SPARQL server's URL (http://host:7878, see README: Sharing and scaling out).",
)
@click.version_option(__version__, prog_name="kg")
@click.pass_context
def main(ctx: click.Context, store: str | None) -> None:
    """actorgraph: ask a knowledge graph who backs, opposes, mediates and negotiates with whom.

    \b
    Examples:
      kg load examples/ain-issa-2020/          load a folder of data files
      kg match "?who backs sna"                who backs the Syrian National Army?
      kg match "Moscow backs ?x" --evidence    whom does Russia back, says who?
      kg match "?a backs ?b" "?b opposes ypg"  backers of the YPG's enemies
      kg why turkey backs sna                  every source behind one claim
      kg sparql "SELECT * WHERE { ?a kgo:mediates ?b }"
    """
    ctx.obj = {"store": store}
    # rdflib logs a traceback for each ill-typed literal ("x"^^xsd:integer) it reads; the
    # value is shown as written, so a user sees data, not a page of Python
    logging.getLogger("rdflib.term").setLevel(logging.ERROR)
    if sys.stderr.isatty():  # long work says so on a terminal, as a load's progress bars do
        _say_on_terminal(logging.getLogger("kg"))


def _say_on_terminal(log: logging.Logger) -> None:
    """Show what kg logs (``logging.INFO`` and up) on stderr, as ``kg: message``."""
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("kg: %(message)s"))
        log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "--format",
    "fmt",
    type=click.Choice(INPUT_FORMATS),
    help="Standard input ('-') needs one: yaml, json, csv, ttl, nt, jsonld, xml, trig, nquads name its format (files "
    "keep the one their name tells); gdelt, acled read every file whatever its name (not YAML, JSON, RDF). "
    "*.export.CSV[.zip] are always GDELT, CSV files with ACLED's header always ACLED.",
)
@click.option(
    "--strict",
    is_flag=True,
    help="GDELT, ACLED: a malformed row (bad date, code or number, wrong column count, missing actor) is an error.",
)
@click.option(
    "--actor-map",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="GDELT, ACLED: a YAML file adding to (or replacing entries of) the shipped actor maps (ACLED's under 'acled:').",
)
@with_graph
def load(graph, paths: tuple[str, ...], fmt: str | None, strict: bool, actor_map: str | None) -> None:
    """Load data files or folders (YAML, JSON, CSV, Turtle, N-Triples, JSON-LD, GDELT events, ACLED exports).

    Every file is checked before anything is written; one mistake anywhere and the
    store stays exactly as it was. Loading a file again replaces what it loaded before.
    GDELT and ACLED event files are aggregated into sourced assertions; a summary line says how
    many events were read and why the others were skipped.

    \b
    Examples:
      kg load examples/ain-issa-2020/ain-issa.yaml
      kg load data/ claims.csv
      kg load 20191024143000.export.CSV.zip
      kg load --format gdelt --actor-map my-actors.yaml gdelt/
      kg load --format acled --actor-map my-actors.yaml acled-export.csv
      curl -s https://example.org/claims.csv | kg load - --format csv
    """
    with contextlib.ExitStack() as bars:
        reports = graph.load(*paths, format=fmt, strict=strict, actor_map=actor_map, progress=_progress_bar(bars))
    for report in reports:
        counts = f"{report.actors} actors, {report.sources} sources, {report.assertions} assertions"
        click.echo(f"loaded {visible(str(report.path))}: {counts} ({report.triples} triples)")
        if summary := report.summary():
            click.echo(f"  {summary}")
        for warning in report.warnings:
            click.echo(f"warning: {visible(warning)}", err=True)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@with_graph
def drop(graph, paths: tuple[str, ...]) -> None:
    """Remove what the given files loaded, all or nothing.

    If any file named is not loaded, nothing is dropped. '-' is what `kg load -` read
    from standard input.

    \b
    Examples:
      kg drop examples/ain-issa-2020/ain-issa.yaml
      kg drop -
    """
    graph.drop(*paths)
    for path in paths:
        click.echo(f"dropped {visible(path)}")


@main.command()
@FORMAT_OPTION
@with_graph
def info(graph, fmt: str) -> None:
    """Counts: actors by type, assertions by relation, sources, dates, loaded files.

    \b
    Examples:
      kg info
      kg info --format json
      kg info --format csv      one row per count: section,name,value
    """
    summary = graph.info()
    if fmt == "json":
        click.echo(json.dumps(summary, indent=2))
        return
    if fmt == "csv":
        emit(_info_rows(summary), ["section", "name", "value"], fmt)
        return
    click.echo(f"store: {visible(summary['store'])}")
    click.echo(f"sources: {summary['sources']}   dates reported: {summary['first_date'] or '-'} .. {summary['last_date'] or '-'}")
    for title, counts in (("actors", summary["actors"]), ("assertions", summary["assertions"])):
        click.echo(f"{title}: {sum(counts.values())}")
        for name, count in counts.items():
            click.echo(f"  {visible(name):<20} {count}")
    click.echo(f"files: {len(summary['files'])}")
    for file in summary["files"]:
        click.echo(f"  {visible(file)}")


def _info_rows(summary: dict) -> list[dict]:
    """``kg info`` as rows for CSV: one per count, date and file."""
    rows = [{"section": "store", "name": summary["store"], "value": ""}, {"section": "sources", "name": "", "value": summary["sources"]}]
    rows += [{"section": "dates reported", "name": edge, "value": summary[f"{edge}_date"] or ""} for edge in ("first", "last")]
    for section in ("actors", "assertions"):
        rows += [{"section": section, "name": name, "value": count} for name, count in summary[section].items()]
    return rows + [{"section": "files", "name": file, "value": ""} for file in summary["files"]]


@main.command()
@click.option("--type", "type_name", help="Only actors of this type (State, Government, ArmedGroup, ...).")
@click.option("--search", help="Only actors whose id, label or an alias contains this text.")
@FORMAT_OPTION
@with_graph
def actors(graph, type_name: str | None, search: str | None, fmt: str) -> None:
    """List actors with their type and aliases.

    \b
    Examples:
      kg actors --type ArmedGroup
      kg actors --search kurd
    """
    table = graph.actors(type_name, search)
    emit(table, table.columns, fmt, empty="no actors")


@main.command()
@click.option("--search", help="Only sources whose id, title or URL contains this text.")
@click.option("--publisher", help="Only sources whose publisher contains this text.")
@FORMAT_OPTION
@with_graph
def sources(graph, search: str | None, publisher: str | None, fmt: str) -> None:
    """List sources: title, publisher, date, how many claims rest on each, first and last date reported.

    \b
    Examples:
      kg sources
      kg sources --publisher reuters --format csv
      kg sources --search ceasefire --format json
    """
    table = graph.sources(search, publisher)
    emit(table, table.columns, fmt, empty="no sources")


@main.command()
@click.argument("patterns", nargs=-1, required=True)
@filter_options
@stance_option
@click.option("--evidence", is_flag=True, help="Add the source, date, confidence and quote behind each answer.")
@page_options
@FORMAT_OPTION
@with_graph
def match(graph, patterns: tuple[str, ...], as_of, min_confidence, stances, evidence: bool, limit, offset, fmt: str) -> None:
    """Find actors by triple patterns: SUBJECT RELATION OBJECT.

    Each end is an actor (id, label or alias; quote names with spaces) or a ?variable.
    Several patterns join on shared variables. Relations: backs, opposes, mediates,
    negotiates-with, their inverses (backed-by, ...) and sub-relations (fights, ...);
    `kg relations` lists them all.

    \b
    Examples:
      kg match "?who backs sna"
      kg match "Moscow backs ?x" --evidence
      kg match "?a backs ?b" "?b opposes ypg" --format json
      kg match "?x negotiates-with turkey" --as-of 2018-01-01
      kg match "'Syrian regime' backed-by ?who"
    """
    choose = _choose(as_of, min_confidence, stances=stances)
    table = graph.match(*patterns, evidence=evidence, limit=_page(fmt, limit), offset=offset, **choose)
    emit(table, table.columns, fmt, vertical=evidence, empty="no matches")
    _page_note(table, offset)


@main.command()
@click.argument("subject")
@click.argument("relation")
@click.argument("object")
@filter_options
@page_options
@FORMAT_OPTION
@with_graph
def why(graph, subject: str, relation: str, object: str, as_of, min_confidence, limit, offset, fmt: str) -> None:
    """Show every assertion behind a claim: source, date, quote, confidence.

    \b
    Examples:
      kg why turkey backs sna
      kg why "Syrian regime" backed-by Moscow --format json
      kg why russia opposes turkey --min-confidence 0.8
      kg why rsf clashes-with sudan-mil --limit 5 --offset 5
    """
    choose = _choose(as_of, min_confidence)
    table = graph.why(subject, relation, object, limit=_page(fmt, limit), offset=offset, **choose)
    emit(table, table.columns, fmt, vertical=True, empty="no assertion supports this claim")
    _page_note(table, offset)


@main.command()
@click.argument("query", required=False)
@click.option("-f", "--file", "query_file", type=click.File("r", encoding="utf-8"), help="Read the query from a .rq file.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv", "turtle", "nt", "json-ld"]),
    default=None,
    help="Rows: table (default), json, csv. Graphs: turtle (default), nt, json-ld.",
)
@with_graph
def sparql(graph, query: str | None, query_file, fmt: str | None) -> None:
    """Run a SPARQL 1.1 query (SELECT, ASK, CONSTRUCT, DESCRIBE).

    Prefixes kgo:, actor:, source:, stmt:, rdf:, rdfs:, owl:, xsd:, skos:, prov:,
    dcterms:, schema: and wd: are predeclared. The default graph is the union of all
    loaded files and the ontology.

    \b
    Examples:
      kg sparql "SELECT ?who WHERE { ?who kgo:backs actor:sna }"
      kg sparql -f examples/ain-issa-2020/queries/backers.rq --format csv
      kg sparql "CONSTRUCT { ?a kgo:opposes ?b } WHERE { ?a kgo:opposes ?b }" --format nt
    """
    if bool(query) == bool(query_file):
        raise click.UsageError("give either a QUERY or -f FILE")
    result = graph.sparql(query or query_file.read(), compact=fmt in (None, "table"))
    if isinstance(result, bool):
        click.echo(json.dumps({"boolean": result}) if fmt == "json" else str(result).lower())
    elif isinstance(result, kg.Table):
        if fmt not in (None, "table", "json", "csv"):
            raise kg.KgError(f"rows cannot be printed as {fmt}; use table, json or csv")
        emit(result, result.columns, fmt or "table")
    else:
        if fmt not in (None, "turtle", "nt", "json-ld"):
            raise kg.KgError(f"a graph result cannot be printed as {fmt}; use turtle, nt or json-ld")
        click.echo(result.serialize(format=fmt or "turtle").rstrip("\n"))


def selection_options(command):
    """The options that choose which claims an analysis (or map, or export) looks at."""
    options = [
        click.option("--depth", type=click.IntRange(0), default=1, show_default=True, help="Steps around --focus."),
        click.option("--focus", metavar="ACTOR", help="Only the neighbourhood of this actor."),
        click.option("--relation", "relations", multiple=True, metavar="R", help="Only these relations (and their sub-relations)."),
    ]
    for option in options:
        command = option(command)
    return filter_options(stance_option(command))


def emit_report(report, fmt: str, headline: str = "", empty: str = "no results") -> None:
    """A report as a table (with its extra sections), as CSV rows, or as one JSON object."""
    if fmt == "json":
        click.echo(json.dumps(report.summary or report.rows, indent=2, ensure_ascii=False, default=str))
        return
    if headline and fmt == "table":
        click.echo(headline)
    emit(report.rows, report.columns, fmt, empty=empty, cut=False)
    if fmt == "table":
        for title, (columns, rows) in report.sections.items():
            if not rows and not report.rows:
                continue  # "no results" said it all
            click.echo(f"\n{title}: {len(rows)}")
            if rows:
                emit(rows, columns, fmt, cut=False)


@main.command()
@click.argument("actor")
@selection_options
@FORMAT_OPTION
@with_graph
def about(graph, actor: str, fmt: str, **selection) -> None:
    """Everything about ACTOR: who it is, every relation in and out by family, camp, processes.

    Each row counts the claims of one relation with one other actor, their sources and the
    dates they span. The selection options choose the claims, as for the analyses.

    \b
    Examples:
      kg about Ankara
      kg about ypg --as-of 2019-12-31
      kg about saf --stance asserted,alleged --format json
    """
    profile = graph.about(actor, **_choose(**selection))
    emit_report(profile, fmt, profile.headline(), empty="no claims")


@main.command()
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), required=True, metavar="DATE", help="The earlier date.")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), required=True, metavar="DATE", help="The later date.")
@selection_options
@FORMAT_OPTION
@with_graph
def diff(graph, start: dt.datetime, end: dt.datetime, fmt: str, **selection) -> None:
    """What changed between two dates: links that started or ended, pairs that turned from
    allies to enemies, actors that changed camp, appeared or vanished; each with its claims.

    The claims of each date are those --as-of that date would keep; the other selection
    options apply to both.

    \b
    Examples:
      kg diff --from 2017-06-01 --to 2020-12-31
      kg diff --from 2019-01-01 --to 2023-12-31 --focus ypg --depth 2
      kg diff --from 2019-01-01 --to 2023-12-31 --relation backs --format json
    """
    if selection["as_of"] is not None:
        raise click.UsageError("diff compares --from and --to: leave out --as-of")
    report = graph.diff(start.date(), end.date(), **_choose(**selection))
    emit_report(report, fmt, f"from {start:%Y-%m-%d} to {end:%Y-%m-%d}: {len(report.changes)} changes", empty="no changes")


@main.command()
@click.argument("article", type=click.File("r", encoding="utf-8"))
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the draft to this file (default: print it).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["yaml", "json"]),
    default="yaml",
    show_default=True,
    help="yaml: a data file for kg load; json: the same records.",
)
@click.option("--source", "source_id", metavar="ID", help="The article's source, already in the store.")
@click.option("--title", help="Title of a new source (default: the article's first line).")
@click.option("--url", help="URL of a new source.")
@click.option("--date", type=click.DateTime(["%Y-%m-%d"]), metavar="YYYY-MM-DD", help="Date of a new source (default: today).")
@click.option("--publisher", help="Publisher of a new source.")
@click.option(
    "--actors",
    "actor_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    metavar="FILE",
    help="Also know the actors of this data file (YAML, JSON or CSV, as kg load reads); may be repeated.",
)
@click.option("--html", is_flag=True, help="ARTICLE is a web page: keep its main text (needs pip install -e '.[html]').")
@with_graph
def extract(graph, article, output: str | None, fmt: str, source_id, title, url, date, publisher, actor_files, html: bool) -> None:
    """Draft claims from a news article (a text file, or - for stdin), to review and load.

    Finds the actors the store and --actors files know, by id, label or alias, and proposes
    who backs, opposes, mediates and negotiates with whom: each claim quotes its sentence and
    has a stance (asserted, alleged, denied), who says so, a confidence and a note naming the
    cue rule that fired (kg/ontology/cues.yaml). Unknown names next to a cue are proposed as
    new actors to review. Nothing is written to the store: edit the draft, then kg load it.
    Exit status 1 when no actor is known or the source is unknown.

    \b
    Examples:
      kg extract article.txt -o draft.yaml --title "Talks resume" --date 2024-05-01
      kg extract article.txt --source newarab-2020-12-29 -o draft.yaml
      kg extract article.txt --actors cast.yaml --format json
      kg extract page.html --html --url https://example.org/story -o draft.yaml
      kg load draft.yaml && kg why turkey backs sna
    """
    draft = graph.extract(
        article.read(),
        actor_files,
        source=source_id,
        title=title,
        url=url,
        date=date.date() if date else None,
        publisher=publisher,
        html=html,
    )
    text = draft.to_yaml() if fmt == "yaml" else draft.to_json() + "\n"
    if output:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        click.echo(text, nl=False)
    new = f", {_count(len(draft.actors), 'new actor')} to review" if draft.actors else ""
    where = f": {output}" if output else ""
    click.echo(f"drafted {_count(len(draft.claims), 'claim')}{new} from {_count(draft.sentences, 'sentence')}{where}", err=True)


def _count(number: int, noun: str) -> str:
    """``1 claim``, ``14 claims``."""
    return f"{number} {noun}{'s' * (number != 1)}"


@main.group()
def analyse() -> None:
    """Camps, balance, support chains, brokers, contested claims.

    All subcommands take the selection options --as-of, --min-confidence, --relation,
    --focus/--depth, --stance, and --format table|json|csv (JSON carries the full report).

    \b
    Examples:
      kg analyse blocs
      kg analyse balance --as-of 2020-12-31
      kg analyse chains turkey
      kg analyse centrality --format json
      kg analyse contested
      kg analyse blocs --stance asserted,alleged     count allegations as facts too
    """


@analyse.command()
@selection_options
@FORMAT_OPTION
@with_graph
def blocs(graph, fmt: str, **selection) -> None:
    """Partition actors into camps: backing inside camps, opposition between them.

    Mediation and negotiation do not decide camps (a mediator talks to both sides).
    Lists the claims that contradict the partition (its frustration).

    \b
    Example:
      kg analyse blocs --min-confidence 0.8
    """
    report = graph.blocs(**_choose(**selection))
    headline = f"{len(report.camps)} camps, {len(report.frustrated)} of {report.signed_edges} signed edges contradict them"
    emit_report(report, fmt, headline, empty="no actors")


@analyse.command()
@selection_options
@FORMAT_OPTION
@with_graph
def balance(graph, fmt: str, **selection) -> None:
    """Structural balance: unbalanced triads (A backs B, B opposes C, A backs C) and the ratio.

    \b
    Example:
      kg analyse balance --format json
    """
    report = graph.balance(**_choose(**selection))
    summary = report.summary
    ratio = "-" if summary["ratio"] is None else f"{summary['ratio']:.2f}"
    headline = f"{summary['balanced']} of {summary['triads']} triads balanced (ratio {ratio}); unbalanced:"
    emit_report(report, fmt, headline, empty="none")


@analyse.command()
@click.argument("actor")
@selection_options
@FORMAT_OPTION
@with_graph
def chains(graph, actor: str, fmt: str, **selection) -> None:
    """Whom ACTOR backs, directly and transitively, and who backs it, with each path.

    \b
    Example:
      kg analyse chains Ankara
    """
    emit_report(graph.chains(actor, **_choose(**selection)), fmt, empty="no backing chains")


@analyse.command()
@selection_options
@FORMAT_OPTION
@with_graph
def contested(graph, fmt: str, **selection) -> None:
    """Claims one source asserts and another denies, or contradicts with the opposite relation.

    Lists both sides' evidence: stance, who says so, source and quote.

    \b
    Examples:
      kg analyse contested
      kg analyse contested --format json
    """
    emit_report(graph.contested(**_choose(**selection)), fmt, empty="no contested claims")


@analyse.command()
@click.option("--top", type=click.IntRange(1), default=5, show_default=True, help="How many backers and brokers.")
@selection_options
@FORMAT_OPTION
@with_graph
def centrality(graph, top: int, fmt: str, **selection) -> None:
    """The most connected backers, the brokers (betweenness), and mediators between camps.

    \b
    Example:
      kg analyse centrality --top 10
    """
    emit_report(graph.centrality(top, **_choose(**selection)), fmt, empty="no actors")


@main.command()
@click.argument("a")
@click.argument("b")
@click.option("--limit", type=click.IntRange(1), default=5, show_default=True, help="At most this many paths.")
@selection_options
@FORMAT_OPTION
@with_graph
def path(graph, a: str, b: str, limit: int, fmt: str, **selection) -> None:
    """The shortest chains of relations linking actors A and B, with directions.

    \b
    Example:
      kg path iran ypg
      kg path Tehran YPG --relation participates-in --relation opposes
    """
    emit_report(graph.path(a, b, limit, **_choose(**selection)), fmt, empty="no path")


@main.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    default="alliances.html",
    show_default=True,
    help="HTML file to write; - for standard output.",
)
@click.option("--type", "types", multiple=True, metavar="T", help="Only actors of these types (State, ArmedGroup, ...).")
@click.option("--color-by", type=click.Choice(["type", "bloc"]), default="type", show_default=True, help="Colour actors by type or camp.")
@click.option("--title", default="actorgraph: alliances", show_default=True, help="Page title.")
@click.option("--open", "open_page", is_flag=True, help="Open the page in the default browser.")
@click.option(
    "--diff",
    "diff_dates",
    nargs=2,
    type=click.DateTime(["%Y-%m-%d"]),
    metavar="FROM TO",
    help="Show what changed between two dates: lines gained since FROM glow, lines lost by TO are ghosted.",
)
@click.option(
    "--max-lines",
    type=click.IntRange(min=0),
    default=5000,
    show_default=True,
    metavar="N",
    help="Draw at most N lines, the best-sourced (0: every line; a browser draws a few thousand).",
)
@selection_options
@with_graph
def view(graph, output: str, types, color_by: str, title: str, open_page: bool, diff_dates, max_lines: int, **selection) -> None:
    """Write an interactive alliance map: one self-contained, offline HTML file.

    Filter relations and actor types in the legend, search an actor, slide through time,
    click a line for its evidence (quotes, sources) and a node for its relations.

    \b
    Examples:
      kg view --open
      kg view --focus ypg -o ypg.html
      kg view --relation backs --relation opposes --as-of 2020-12-31 --color-by bloc
      kg view --diff 2015-01-01 2024-12-31 -o changes.html
      kg view --max-lines 500 -o strongest.html
    """
    from kg.view import LARGE_GRAPH_NODES

    if output == "-" and open_page:
        raise click.UsageError("--open needs a file: give -o FILE instead of -o -")
    diff = None if diff_dates is None else (diff_dates[0].date(), diff_dates[1].date())
    page = graph.view(
        None if output == "-" else output,
        title=title,
        types=types,
        color_by=color_by,
        diff=diff,
        max_lines=max_lines or None,
        **_choose(**selection),
    )
    if page.left_out:
        click.echo(
            f"warning: {page.left_out} of {page.edges + page.left_out} lines not drawn, the least sourced "
            f"(--max-lines {max_lines}); narrow with --focus, --relation or --type, or give --max-lines 0 for all",
            err=True,
        )
    if page.large:
        click.echo(
            f"warning: {page.nodes} actors (more than {LARGE_GRAPH_NODES}): the layout is static (physics off); "
            "use --focus ACTOR --depth N, --relation or --type for a readable map",
            err=True,
        )
    if page.edges == 0:
        chosen = _given(click.get_current_context(), {*selection, "types"})
        click.echo(f"warning: the map is empty: no claim fits {chosen or 'the store'}", err=True)
    if page.path is None:
        click.echo(page.html, nl=False)
        return
    click.echo(str(page.path))
    if open_page:
        import webbrowser

        webbrowser.open(page.path.resolve().as_uri())


def _given(ctx: click.Context, names: set[str]) -> str:
    """The options of ``names`` a user gave, as typed (``--as-of 2000-01-01 --relation backs``)."""
    given = []
    for param in ctx.command.params:
        if param.name in names and ctx.get_parameter_source(param.name) == click.core.ParameterSource.COMMANDLINE:
            values = ctx.params[param.name]
            for value in values if isinstance(values, tuple) else (values,):
                text = f"{value:%Y-%m-%d}" if isinstance(value, dt.date) else str(value)
                given.append(param.opts[0] if value is True else f"{param.opts[0]} {text}")
    return " ".join(given)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: every network the machine is on).")
@click.option("--port", type=click.IntRange(0, 65535), default=7878, show_default=True, help="Port to listen on (0: any free port).")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=10.0, show_default=True, help="Seconds a query may run.")
@click.option("--max-result-mb", type=click.FloatRange(min=0.001), default=10.0, show_default=True, help="Largest answer sent, in MB.")
@click.option(
    "--max-queries",
    type=click.IntRange(min=1),
    default=None,
    show_default="the number of CPUs, at least 2",
    help="Expensive queries (running past --cheap-seconds) at once; one more is stopped and refused (503, Retry-After).",
)
@click.option(
    "--cheap-seconds",
    type=click.FloatRange(min=0.1),
    default=1.0,
    show_default=True,
    help="A query running longer is expensive (see --max-queries); younger ones have places of their own, "
    "so cheap queries are answered while the expensive ones are at their limit.",
)
@click.option(
    "--allow-host",
    "allow_hosts",
    metavar="NAME",
    multiple=True,
    help="Also answer requests whose Host header names NAME (repeatable; '*': any). "
    "By default only 127.0.0.1, localhost, [::1] and --host are answered.",
)
@click.option(
    "--cors",
    metavar="ORIGIN",
    help="Let web pages of ORIGIN (e.g. https://yasgui.triply.cc; '*': any) query the store from a browser. Off by default.",
)
@click.pass_context
def serve(
    ctx: click.Context,
    host: str,
    port: int,
    timeout: float,
    max_result_mb: float,
    max_queries: int | None,
    cheap_seconds: float,
    allow_hosts: tuple[str, ...],
    cors: str | None,
) -> None:
    """Serve the store read-only over the SPARQL 1.1 Protocol (YASGUI, SPARQLWrapper, ...).

    GET or POST /sparql; JSON, XML, CSV or TSV results and Turtle, N-Triples or JSON-LD
    graphs, as the Accept header asks; a query page at /. No updates, no SERVICE
    (federation); a query running past --timeout is stopped, a bigger answer than
    --max-result-mb refused. A query that runs past --cheap-seconds is expensive: past
    --max-queries of those at once it is stopped and refused with 503 and Retry-After,
    while cheap queries are still answered. A request naming another host (DNS
    rebinding) gets 421. Each query sees the store as it is when it starts. The endpoint's
    URL without a query gives its SPARQL Service Description; HEAD and OPTIONS are answered.

    \b
    Examples:
      kg serve
      kg serve --port 8000 --timeout 30
      kg serve --host 0.0.0.0 --allow-host kg.example.org
      kg serve --cors https://yasgui.triply.cc      a YASGUI page may query it
      curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT ?a ?b WHERE { ?a kgo:backs ?b }' http://127.0.0.1:7878/sparql
    """
    kg.open(ctx.obj["store"]).serve(
        host=host,
        port=port,
        timeout=timeout,
        max_bytes=int(max_result_mb * 1_000_000),
        max_queries=max_queries,
        allow_hosts=allow_hosts,
        echo=click.echo,
        cheap_seconds=cheap_seconds,
        cors=cors,
    )


EXPORT_FORMATS = ["turtle", "nt", "json-ld", "xml", "trig", "nquads", "graphml", "gexf", "csv"]


@main.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(EXPORT_FORMATS),
    default="turtle",
    show_default=True,
    help="RDF: turtle, nt, json-ld, xml, trig, nquads. Networks: graphml, gexf, csv.",
)
@click.option(
    "-o",
    "--output",
    default="-",
    metavar="FILE",
    help="Where to write (atomically); '-' is stdout. csv writes FILE-actors.csv and FILE-relations.csv.",
)
@selection_options
@click.option("--truthy-only", is_flag=True, help="RDF: direct edges and actors only, without statement nodes and sources.")
@click.option("--ontology", "include_ontology", is_flag=True, help="RDF: add the ontology (its own named graph in trig/nquads).")
@with_graph
def export(graph, fmt: str, output: str, truthy_only: bool, include_ontology: bool, **selection) -> None:
    """Export the graph for other tools: RDF for triple stores and Protégé, GraphML/GEXF/CSV for Gephi, Cytoscape, Kumu.

    Without selection options, RDF exports hold everything loaded, with provenance
    (trig and nquads keep each loaded file as its own named graph). With them, the
    selected claims: statements, direct edges, actors, sources. Exporting the same store
    twice gives the same bytes.

    \b
    Examples:
      kg export --format turtle -o ain-issa.ttl
      kg export --format trig -o ain-issa.trig --ontology
      kg export --format gexf --focus ypg --depth 2 -o ypg.gexf
      kg export --format csv -o ain-issa          (ain-issa-actors.csv, ain-issa-relations.csv)
      kg export --format nt --truthy-only --as-of 2020-12-31
    """
    options = {"truthy_only": truthy_only, "include_ontology": include_ontology, **_choose(**selection)}
    if output != "-":
        for path in graph.export(fmt, output, **options):
            click.echo(f"wrote {path}", err=True)
        return
    data = graph.export(fmt, **options)
    if not isinstance(data, bytes):
        raise kg.KgError(f"{fmt} writes two files (actors, relations): give -o NAME", field="--output")
    click.get_binary_stream("stdout").write(data)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "turtle"]),
    default="table",
    show_default=True,
    help="table and json list the problems; turtle is the SHACL validation report.",
)
@click.option(
    "--input-format",
    type=click.Choice(INPUT_FORMATS),
    help="The format of standard input ('-'), as kg load --format.",
)
@click.pass_context
def validate(ctx: click.Context, paths: tuple[str, ...], fmt: str, input_format: str | None) -> None:
    """Check data files before loading them, or else the store, against the ontology's SHACL shapes.

    Every problem is reported with its file, line, record and field, not only the first.
    Names in the files may refer to actors already in the store. Exit status 1 when
    anything is wrong.

    \b
    Examples:
      kg validate examples/ain-issa-2020/
      kg validate claims.csv --format json
      kg validate                              the store
      kg validate --format turtle > report.ttl
      cat claims.yaml | kg validate - --input-format yaml
    """
    result = kg.open(ctx.obj["store"]).validate(*paths, format=input_format)
    for note in (*result.warnings, *(f"skipped: {check}" for check in result.skipped)):
        click.echo(f"warning: {visible(note)}", err=True)
    if fmt == "turtle":
        click.echo(result.report.serialize(format="turtle").rstrip("\n"))
    elif fmt == "json":
        click.echo(json.dumps([p.row() for p in result.problems], indent=2, ensure_ascii=False))
    elif result.problems:
        emit([p.row() for p in result.problems], ["file", "line", "record", "field", "problem"], fmt, cut=False)
    else:
        click.echo("valid: no problems found")
    if result.problems:
        if fmt != "json":
            click.echo(f"{len(result.problems)} problem{'s' if len(result.problems) != 1 else ''}", err=True)
        ctx.exit(1)


@main.command()
@FORMAT_OPTION
def relations(fmt: str) -> None:
    """List the ontology's relations: inverses, symmetry, roll-up, CAMEO codes."""
    table = kg.relations()
    emit(table, table.columns, fmt)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
