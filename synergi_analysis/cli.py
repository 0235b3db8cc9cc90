"""The ``synergi`` command: validate data, print tables, write figures and reports.

Bad input never ends in a traceback: every `StudyError` (and every invalid
argument, as `ValueError`) is printed as a message on stderr with exit code 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from synergi_analysis._version import __version__
from synergi_analysis.errors import StudyError, ValidationError

__all__ = ["main", "TABLES", "table_command", "subcommand", "format_table", "parse_where",
           "table_notes"]

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


# -- tables -------------------------------------------------------------------------


@dataclass(frozen=True)
class TableCommand:
    """One ``synergi table NAME``: its options and the function that builds it."""

    name: str
    help: str
    build: Callable[[object, argparse.Namespace], pd.DataFrame]
    arguments: tuple[tuple[tuple[str, ...], dict], ...] = ()
    index_name: str | None = None


TABLES: dict[str, TableCommand] = {}

# Commands beyond validate and table: each is ``register(subparsers, add_data_option)``,
# added with the `subcommand` decorator further down this module.
_SUBCOMMANDS: list[Callable] = []


def subcommand(register: Callable) -> Callable:
    """Register a function that adds one ``synergi`` subcommand to the parser."""
    _SUBCOMMANDS.append(register)
    return register


def table_command(name: str, help: str, *arguments: tuple[tuple[str, ...], dict],
                  index_name: str | None = None):
    """Register a function ``build(study, args) -> DataFrame`` as ``synergi table NAME``."""

    def register(build):
        TABLES[name] = TableCommand(name, help, build, tuple(arguments), index_name)
        return build

    return register


@table_command(
    "service-by-age",
    "the data-basis table: services × age bands with totals (as in the deck)",
    (("--by",), {"default": "age_band", "choices": ["age_band", "site", "visitor_type"],
                 "help": "column dimension (default: age_band)"}),
    index_name="service",
)
def _service_by_age(study, args):
    from synergi_analysis.patterns import service_by_age

    return service_by_age(study, by=args.by, lang=args.lang)


# -- output -------------------------------------------------------------------------


def _markdown(frame: pd.DataFrame) -> str:
    cols = [str(c) for c in frame.columns]
    lines = ["| " + " | ".join(cols) + " |",
             "|" + "|".join("---:" if pd.api.types.is_numeric_dtype(frame[c]) else "---"
                            for c in frame.columns) + "|"]
    for row in frame.itertuples(index=False):
        cells = ["" if pd.isna(v) else str(v).replace("|", "\\|").replace("\n", " ") for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def format_table(frame: pd.DataFrame, fmt: str, *, index_name: str | None = None) -> str:
    """Render a result table as plain text, CSV or Markdown.

    The index becomes the first column, named ``index_name`` when given.
    """
    flat = frame.copy()
    keep_index = not isinstance(flat.index, pd.RangeIndex)
    if keep_index:
        flat.index.name = index_name or flat.index.name or ""
        flat = flat.reset_index()
    flat.columns = [str(c) for c in flat.columns]
    if fmt == "csv":
        return flat.to_csv(index=False, lineterminator="\n").rstrip("\n")
    if fmt == "markdown":
        return _markdown(flat)
    if flat.empty:
        return "(no rows)\n" + "  ".join(flat.columns)
    # Labels read left-aligned, as in the deck's tables; numbers stay right-aligned.
    text_cols = [c for c in flat.columns if not pd.api.types.is_numeric_dtype(flat[c])]
    for c in text_cols:
        width = max([len(str(c)), *(len(str(v)) for v in flat[c])])
        flat[c] = [f"{v!s:<{width}}" for v in flat[c]]
        flat = flat.rename(columns={c: f"{c:<{width}}"})
    return flat.to_string(index=False)


# -- commands -----------------------------------------------------------------------


def _load(args: argparse.Namespace):
    from synergi_analysis.load import load_study

    return load_study(args.data)


def table_notes(frame: pd.DataFrame, lang: str) -> list[str]:
    """What must be read with a table: its test's sentence and its illustrative caveat."""
    from synergi_analysis._codings import caveat

    attrs = frame.attrs or {}
    notes = list(attrs.get("notes", {}).get(lang, []))
    test = attrs.get("test")
    if test:
        notes.append(test["sentence"][lang])
    line = caveat(attrs, lang)
    if line:
        notes.append(line)
    return notes


def _cmd_validate(args: argparse.Namespace) -> int:
    from synergi_analysis.load import load_study

    target = args.path if args.path is not None else args.data
    if target is not None and str(target).lower().endswith((".qdpx", ".qde")):
        return _validate_qdpx(target)
    study = load_study(target)
    iv = study.interviews
    print(
        f"{study.source}: valid: {len(iv)} interviews, {iv['site'].nunique()} sites, "
        f"{iv['service'].nunique()} services, {len(study.quotes)} quotes"
    )
    marked = study.codebook.illustrative(lang="en")
    if marked:
        print(f"illustrative codings (chosen, not measured; codebook.yml marks them): "
              f"{', '.join(marked)}")
        for name, note in marked.items():
            print(f"  {name}: {note}")
    for warning in study.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return EXIT_OK


def _cmd_table(args: argparse.Namespace) -> int:
    command = TABLES[args.table]
    study = _load(args)
    frame = command.build(study, args)
    print(format_table(frame, args.format, index_name=command.index_name))
    notes = table_notes(frame, args.lang)
    if notes and args.format == "csv":
        # A comment line would break CSV readers: the notes go to stderr.
        for line in notes:
            print(line, file=sys.stderr)
    elif notes:
        print()
        print("\n\n".join(notes) if args.format == "markdown" else "\n".join(notes))
    return EXIT_OK


def _add_data_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data", metavar="PATH", default=None,
        help="study folder, interviews file (.csv/.xlsx) or QDA project (.qdpx); "
             "default: the shipped study",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="synergi",
        description="Coded qualitative interviews to pattern tables, figures, a synergy "
                    "ranking and HTML reports.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("validate", help="check a study against its codebook")
    p.add_argument("path", nargs="?", default=None,
                   help="study folder, interviews file or QDA project (default: shipped study)")
    _add_data_option(p)
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("table", help="print an analysis table")
    tables = p.add_subparsers(dest="table", required=True, metavar="NAME")
    for command in TABLES.values():
        t = tables.add_parser(command.name, help=command.help, description=command.help)
        _add_data_option(t)
        t.add_argument("--format", choices=["text", "csv", "markdown"], default="text")
        t.add_argument("--lang", choices=["da", "en"], default="da", help="label language")
        for flags, kwargs in command.arguments:
            t.add_argument(*flags, **kwargs)
        t.set_defaults(func=_cmd_table)

    for register in _SUBCOMMANDS:
        register(sub, _add_data_option)
    return parser


# -- qdpx: REFI-QDA projects (synergi_analysis.qdpx) --------------------------------


def _project_codes(study) -> list[str] | None:
    project = getattr(study, "project", None)
    return project.code_paths if project is not None else None


_AGGREGATE = (("--aggregate",), {
    "action": "store_true",
    "help": "count a selection coded with a child code under each of its parents too"})


@table_command(
    "code-frequencies",
    "QDA codes × interviews: how many selections carry each code (paths Parent::Child)",
    _AGGREGATE,
    index_name="code",
)
def _code_frequencies(study, args):
    from synergi_analysis.qda import code_frequencies

    return code_frequencies(study.quotes, interviews=study.interviews["interview_id"],
                            codes=_project_codes(study), aggregate=args.aggregate,
                            lang=args.lang)


@table_command(
    "code-cooccurrence",
    "pairs of QDA codes that share selections or interviews",
    _AGGREGATE,
)
def _code_cooccurrence(study, args):
    from synergi_analysis.qda import code_cooccurrence

    return code_cooccurrence(study.quotes, codes=_project_codes(study),
                             aggregate=args.aggregate)


def _project_line(project) -> str:
    c = project.summary()
    origin = f" ({project.origin})" if project.origin else ""
    return (
        f"{project.file}{origin}: {c['sources']} sources ({c['text_sources']} text), "
        f"{c['selections']} selections, {c['codings']} codings over {c['codes_used']} of "
        f"{c['codes']} codes; positions read as {project.offsets}"
    )


def _validate_qdpx(target) -> int:
    """``synergi validate PROJECT.qdpx``: what maps, dimension by dimension, and what not."""
    from synergi_analysis.qda import mapping_report

    table, problems, project = mapping_report(target)
    print(_project_line(project))
    print(format_table(table, "text"))
    if problems:
        print(str(ValidationError(problems)), file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"{project.file}: valid: every variable, code and set maps onto the codebook")
    return EXIT_OK


def _cmd_import_qdpx(args: argparse.Namespace) -> int:
    from synergi_analysis.qda import import_qdpx

    study = import_qdpx(args.project, args.out, codebook=args.codebook, overwrite=args.force)
    print(_project_line(study.project))
    print(f"wrote {args.out}: interviews.csv ({len(study.interviews)} interviews), "
          f"quotes.csv ({len(study.quotes)} quotes), codebook.yml")
    iv = study.interviews
    blank = [d.column for d in study.codebook.dimensions.values()
             if d.required and d.column in iv and iv[d.column].isna().any()]
    if blank:
        print(f"to do: {', '.join(blank)} are blank for some interviews; fill them in, "
              f"then run: synergi validate {args.out}")
    for warning in study.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return EXIT_OK


def _cmd_export_qdpx(args: argparse.Namespace) -> int:
    from synergi_analysis.qda import export_qdpx

    study = _load(args)
    path = export_qdpx(study, args.out, overwrite=args.force)
    print(f"wrote {path}: {len(study.interviews)} cases with their variables, "
          f"{len(study.quotes)} quotes as coded selections")
    return EXIT_OK


@subcommand
def _register_qdpx(sub, add_data_option) -> None:
    p = sub.add_parser(
        "import-qdpx", help="write a REFI-QDA project (.qdpx/.qde) as a study folder",
        description="Read a project exported by NVivo, ATLAS.ti, MAXQDA, QualCoder or qc and "
                    "write interviews.csv, quotes.csv and a copy of the codebook to FOLDER.")
    p.add_argument("project", help="the .qdpx file (or a .qde beside its sources/ folder)")
    p.add_argument("--out", required=True, metavar="FOLDER", help="the study folder to write")
    p.add_argument("--codebook", metavar="FILE", default=None,
                   help="the codebook to map onto (default: the shipped one)")
    p.add_argument("--force", action="store_true", help="overwrite a study already in FOLDER")
    p.set_defaults(func=_cmd_import_qdpx)

    p = sub.add_parser(
        "export-qdpx", help="write a study as a REFI-QDA project (.qdpx)",
        description="Write the study as a .qdpx that QDA tools open: one case per interview "
                    "with its coded dimensions as variables, one text source per interview "
                    "holding its quotes, each quote a coded selection.")
    add_data_option(p)
    p.add_argument("--out", required=True, metavar="FILE.qdpx", help="the project to write")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    p.set_defaults(func=_cmd_export_qdpx)


# -- ranking: the synergy-potential ranking (synergi_analysis.ranking) -----------------


_WEIGHTS = (("--weights",), {
    "metavar": "W", "default": None,
    "help": "criterion weights, e.g. reach=1,users=2,groups=1,links=1 (left out: 1)"})
_MIN_INTERVIEWS = (("--min-interviews",), {
    "type": int, "default": 1, "metavar": "N",
    "help": "fewer interviews than this is too little data to rank (default: 1)"})


def _rounded(frame: pd.DataFrame, columns) -> pd.DataFrame:
    return frame.assign(**{c: frame[c].round(3) for c in columns})


@table_command(
    "ranking",
    "the synergy-potential ranking: the deck's four criteria, the weighted total with its "
    "bootstrap interval, the rank interval and tier, the deck's pick",
    _WEIGHTS,
    (("--top",), {"type": int, "default": None, "metavar": "K",
                  "help": "show only the services ranked K or better"}),
    _MIN_INTERVIEWS,
    (("--seed",), {"type": int, "default": None, "metavar": "S",
                   "help": "seed of the bootstrap (default: the package's fixed seed)"}),
)
def _ranking(study, args):
    from synergi_analysis.ranking import CRITERIA, DEFAULT_SEED, rank_services

    table = rank_services(study, weights=args.weights, min_interviews=args.min_interviews,
                          seed=DEFAULT_SEED if args.seed is None else args.seed,
                          lang=args.lang)
    if args.top is not None:
        if args.top < 1:
            raise ValueError(f"--top must be 1 or more, not {args.top}")
        table = table[table["rank"].le(args.top).fillna(False).astype(bool)]
    attrs = dict(table.attrs)
    table = table.drop(columns=["service"]).rename(columns={"label": "service"})
    columns = ["rank", "service", *CRITERIA, "total", "total_low", "total_high", "rank_low",
               "rank_high", "tier", "interviews", "reach_low", "reach_high", "usage_rank",
               "usage_share", "group", "group_n", "group_share", "group_base", "n_offers",
               "deck_pick", "too_little_data"]
    out = _rounded(table[columns], [*CRITERIA, "total", "total_low", "total_high", "reach_low",
                                    "reach_high", "usage_share", "group_share", "group_base"])
    out = out.reset_index(drop=True)
    out.attrs = attrs
    return out


@table_command(
    "deck-agreement",
    "how the deck's pick fares in the ranking: each entry's best rank and interval, the "
    "count in the top k beside chance and other weightings, the picks the data cannot judge",
    _WEIGHTS,
    (("--top",), {"type": int, "default": None, "metavar": "K",
                  "help": "the k of top k (default: the number of picks the data can judge)"}),
)
def _deck_agreement(study, args):
    from synergi_analysis.ranking import deck_agreement, describe_agreement, rank_services

    table = deck_agreement(rank_services(study, weights=args.weights, lang=args.lang),
                           top=args.top)
    sentence = {lang: [describe_agreement(table, lang=lang)] for lang in ("da", "en")}
    out = table.drop(columns=["deck_group"])
    out.attrs = {**table.attrs, "notes": sentence}
    return out


@table_command(
    "ranking-sensitivity",
    "how robust the ranking is: top-k share and rank range under random weights, "
    "and the rank without each site",
    _WEIGHTS,
    (("--top",), {"type": int, "default": 3, "metavar": "K",
                  "help": "the k of the top-k share (default: 3)"}),
    (("--draws",), {"type": int, "default": 2000, "metavar": "N",
                    "help": "random weight vectors drawn (default: 2000)"}),
    (("--seed",), {"type": int, "default": None, "metavar": "S",
                   "help": "seed of the draws (default: the package's fixed seed)"}),
    _MIN_INTERVIEWS,
)
def _ranking_sensitivity(study, args):
    from synergi_analysis.ranking import DEFAULT_SEED, leave_one_site_out, rank_sensitivity

    options = dict(weights=args.weights, min_interviews=args.min_interviews, lang=args.lang)
    seed = DEFAULT_SEED if args.seed is None else args.seed
    draws = rank_sensitivity(study, top=args.top, n_draws=args.draws, seed=seed, **options)
    sites = leave_one_site_out(study, **options)
    table = draws.merge(sites.drop(columns=["label", "rank"]), on="service", how="left")
    table = table.drop(columns=["service"]).rename(columns={"label": "service"})
    out = _rounded(table, ["top_share"])
    # The caveat of both halves: groups' codings and the (partly chosen) sites left out.
    out.attrs = {**sites.attrs, "illustrative": sites.attrs.get("illustrative", {})}
    return out


# -- report: batch HTML reports (synergi_analysis.report) ------------------------------


def _cmd_report(args: argparse.Namespace) -> int:
    from synergi_analysis.report import render_batch

    summary = render_batch(
        args.spec, data=args.data, out=args.out, jobs=args.jobs, only=args.only,
        force=args.force, anonymise=args.anonymise, lang=args.lang, dask=args.dask,
    )
    for result in summary.results:
        if result.status == "failed":
            print(f"failed: {result.name}: {result.error}", file=sys.stderr)
    print(summary.line())
    return EXIT_OK if summary.ok else EXIT_FAILED


@subcommand
def _register_report(sub, add_data_option) -> None:
    p = sub.add_parser(
        "report", help="render the notebooks to self-contained HTML reports",
        description="Render the batch in notebooks/batch.yml (every notebook with each of its "
                    "parameter combinations) to one offline HTML file per report plus "
                    "index.html. Reports whose notebook, parameters, data, codebook and "
                    "package are unchanged since their last good render are skipped. "
                    "Exit code 1 when any report failed.")
    add_data_option(p)
    p.add_argument("--out", default="reports", metavar="DIR",
                   help="output folder (default: reports)")
    p.add_argument("--jobs", type=int, default=None, metavar="N",
                   help="reports rendered side by side (default: the number of cores)")
    p.add_argument("--only", metavar="GLOB", default=None,
                   help="render only reports whose name matches, e.g. 'site-*' "
                        "(several globs separated by commas)")
    p.add_argument("--force", action="store_true", help="render even up-to-date reports")
    p.add_argument("--anonymise", action="store_true",
                   help="speaker pseudonyms and no exact ages in every report")
    p.add_argument("--lang", choices=["da", "en"], default=None,
                   help="label language (default: the batch spec's, else da)")
    p.add_argument("--dask", metavar="ADDRESS", default=None,
                   help="send the work to this Dask scheduler (needs the [dask] extra)")
    p.add_argument("--spec", metavar="FILE", default=None,
                   help="batch spec (default: the shipped notebooks/batch.yml)")
    p.set_defaults(func=_cmd_report)


# -- patterns: pattern tables (synergi_analysis.patterns) ------------------------------


def _by(default, help_text):
    return (("--by",), {"default": default, "metavar": "DIMENSION",
                        "help": f"{help_text} (default: {default})"})


@table_command(
    "attitudes",
    "attitude to integration, counts and shares on each visitor type's scale",
    _by("visitor_type", "split further by this dimension, e.g. site or age_band"),
)
def _attitudes(study, args):
    from synergi_analysis.patterns import attitudes

    table = attitudes(study, by=args.by, lang=args.lang)
    # The not-coded row has no code: a blank cell reads better than <NA>.
    return _rounded(table, ["share", "share_low", "share_high"]).assign(
        code=table["code"].fillna(""))


@table_command(
    "journey",
    "per journey stage: interviews open, closed and not coded there, and the share open",
    (("--by",), {"default": None, "metavar": "DIMENSION",
                 "help": "split by this dimension, e.g. site, attitude or age_band"}),
)
def _journey(study, args):
    from synergi_analysis.patterns import journey

    table = journey(study, by=args.by, lang=args.lang)
    return _rounded(table, ["share_open", "share_low", "share_high"])


@table_command(
    "competence",
    "strong and weak navigators (competence profile) by service or another dimension",
    _by("service", "row dimension, e.g. service, age_band or site"),
)
def _competence(study, args):
    from synergi_analysis.patterns import competence

    return competence(study, by=args.by, lang=args.lang)


@table_command(
    "life-situations",
    "life situations × service (or another dimension); several per interview are each counted",
    _by("service", "column dimension, e.g. service, age_band or site"),
    index_name="life_situation",
)
def _life_situations(study, args):
    from synergi_analysis.patterns import life_situations

    return life_situations(study, by=args.by,
                           lang=args.lang)


@table_command(
    "cooccurrence",
    "how many interviews have both codes, for any two coded dimensions (or journey stages)",
    (("--rows",), {"default": "life_situation", "metavar": "DIMENSION",
                   "help": "row dimension (default: life_situation)"}),
    (("--columns",), {"default": None, "metavar": "DIMENSION",
                      "help": "column dimension (default: the same as --rows)"}),
    (("--normalise",), {"default": "count", "choices": ["count", "jaccard", "lift"],
                        "help": "count (default), jaccard (both / either) or lift "
                                "(observed / expected if independent)"}),
)
def _cooccurrence(study, args):
    from synergi_analysis.patterns import cooccurrence
    from synergi_analysis.words import word

    table = cooccurrence(study, rows=args.rows,
                         columns=args.columns, normalise=args.normalise, lang=args.lang)
    if args.normalise == "count":
        return table
    # Lift and Jaccard rest on few interviews per cell: one row per cell, with its n.
    attrs = table.attrs
    rows, columns = attrs["rows"], attrs["columns"]
    counts = pd.DataFrame(attrs["counts"]).T.reindex(index=table.index, columns=table.columns)
    long = pd.DataFrame({
        rows: [r for r in table.index for _ in table.columns],
        columns if columns != rows else f"{columns}_2": [c for _ in table.index
                                                        for c in table.columns],
        "n": counts.to_numpy().ravel().astype("int64"),
        args.normalise: table.to_numpy().ravel().round(3),
    })
    long["small"] = long["n"] < attrs["min_n"]
    long.attrs = dict(attrs)
    long.attrs["notes"] = {lang: [word("stats.lift_n", lang, n=attrs["n_both"]),
                                  word("stats.small_column", lang, m=attrs["min_n"])]
                           for lang in ("da", "en")}
    return long


def _filter(flag, what):
    return ((flag,), {"action": "append", "default": None, "metavar": "VALUE",
                      "help": f"only quotes {what} (key or label; repeat for several)"})


def parse_where(items) -> list[tuple[str, list[str]]]:
    """``--where DIMENSION=VALUE[,VALUE...]`` options as (dimension, values) pairs.

    Values inside one option combine with OR, options with AND (so one dimension
    may be named twice); the names and values are checked by the analysis, which
    names an unknown one with the closest there is.

    Examples
    --------
    >>> parse_where(["site=Roskilde,næstved", "forberedelse=åben"])
    [('site', ['Roskilde', 'næstved']), ('forberedelse', ['åben'])]
    """
    pairs = []
    for item in items or []:
        name, sep, values = str(item).partition("=")
        wanted = [v.strip() for v in values.split(",") if v.strip()]
        if not sep or not name.strip() or not wanted:
            raise ValueError(f"--where {item!r}: expected DIMENSION=VALUE[,VALUE...], "
                             "e.g. --where site=roskilde,næstved or --where forberedelse=åben")
        pairs.append((name.strip(), wanted))
    return pairs


_WHERE = (("--where",), {
    "action": "append", "default": None, "metavar": "DIMENSION=VALUE[,VALUE...]",
    "help": "only quotes whose interview has one of these codes, on any coded dimension or "
            "journey stage (keys or labels); values inside one --where combine with OR, "
            "several --where with AND; e.g. --where competence=navigationssvag "
            "--where forberedelse=åben"})


def _filter(flag, what):
    return ((flag,), {"action": "append", "default": None, "metavar": "VALUE",
                      "help": f"only quotes {what} (key or label; repeat for several)"})


_QUOTE_FILTERS = (
    _filter("--service", "about this service"),
    _filter("--site", "from this site"),
    _filter("--attitude", "by visitors with this attitude (A, or a label)"),
    _filter("--age-band", "by visitors in this age band"),
    _filter("--visitor-type", "by this visitor type"),
    _filter("--stage", "about this journey stage"),
    _filter("--theme", "with this theme"),
    _WHERE,
    (("--contains",), {"default": None, "metavar": "TEXT",
                       "help": "only quotes whose text contains TEXT (any case)"}),
    (("--anonymise",), {"action": "store_true",
                        "help": "speaker pseudonyms and age bands instead of names and ages"}),
)


def _quote_filters(args) -> dict:
    return dict(service=args.service, site=args.site, attitude=args.attitude,
                age_band=args.age_band, visitor_type=args.visitor_type, stage=args.stage,
                theme=args.theme, contains=args.contains, where=parse_where(args.where),
                lang=args.lang)


def _keep_attrs(table: pd.DataFrame, columns) -> pd.DataFrame:
    out = table[columns]
    out.attrs = dict(table.attrs)
    return out


@table_command(
    "quotes",
    "the quotes that match the filters, each with the deck's caption",
    *_QUOTE_FILTERS,
)
def _quotes(study, args):
    from synergi_analysis.quotations import quotes

    if args.anonymise:
        study = study.anonymised()
    return _keep_attrs(quotes(study, **_quote_filters(args)), ["quote_id", "caption", "text"])


@table_command(
    "quote-matrix",
    "the quotes that match the filters grouped by a second dimension (a quote matrix)",
    (("--by",), {"default": "service", "metavar": "DIMENSION",
                 "help": "the dimension to group the quotes by, e.g. site or attitude "
                         "(default: service)"}),
    *_QUOTE_FILTERS,
)
def _quote_matrix(study, args):
    from synergi_analysis.quotations import quote_matrix

    if args.anonymise:
        study = study.anonymised()
    table = quote_matrix(study, by=args.by, **_quote_filters(args))
    return _keep_attrs(table, ["group", "quote_id", "caption", "text"])


# -- plotting: slide figures (synergi_analysis.plotting) ----------------------------


def _cmd_figures(args: argparse.Namespace) -> int:
    from synergi_analysis.figures import save_figures

    study = _load(args)
    for path in save_figures(study, args.out, fmt=args.format, lang=args.lang):
        print(f"wrote {path}")
    return EXIT_OK


@subcommand
def _register_figures(sub, add_data_option) -> None:
    p = sub.add_parser(
        "figures", help="write every chart as a file sized for a 16:9 slide",
        description="Draw each chart of the deck's citizen chapter from the data and write it "
                    "to DIR as NAME.FORMAT (service-by-age.png, ...), replacing older files.")
    add_data_option(p)
    p.add_argument("--out", default="reports/figures", metavar="DIR",
                   help="folder to write to (default: reports/figures, created when missing)")
    p.add_argument("--format", choices=["png", "svg", "pdf"], default="png",
                   help="file format (default: png, at 200 dpi)")
    p.add_argument("--lang", choices=["da", "en"], default="da", help="label language")
    p.set_defaults(func=_cmd_figures)


def main(argv: list[str] | None = None) -> int:
    """Run the ``synergi`` command; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except ValidationError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    except (StudyError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
