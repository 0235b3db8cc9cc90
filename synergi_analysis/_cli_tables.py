"""The tables of ``synergi table NAME``: one registered builder per table.

Each builder takes the loaded study and the parsed arguments and returns the
analysis table to print; `cli` adds one subcommand per entry of `TABLES`.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class TableCommand:
    """One ``synergi table NAME``: its options and the function that builds it."""

    name: str
    help: str
    build: Callable[[object, argparse.Namespace], pd.DataFrame]
    arguments: tuple[tuple[tuple[str, ...], dict], ...] = ()
    index_name: str | None = None


TABLES: dict[str, TableCommand] = {}


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

    return code_frequencies(study, aggregate=args.aggregate, lang=args.lang)


@table_command(
    "code-cooccurrence",
    "pairs of QDA codes that share selections or interviews",
    _AGGREGATE,
)
def _code_cooccurrence(study, args):
    from synergi_analysis.qda import code_cooccurrence

    return code_cooccurrence(study, aggregate=args.aggregate)


_WEIGHTS = (("--weights",), {
    "metavar": "W", "default": None,
    "help": "criterion weights, e.g. reach=1,users=2,groups=1,links=1 (left out: 1)"})


_MIN_INTERVIEWS = (("--min-interviews",), {
    "type": int, "default": 1, "metavar": "N",
    "help": "fewer interviews than this is too little data to rank (default: 1)"})


#: More draws than this add no precision a table can show and take gigabytes.
MAX_DRAWS = 1_000_000


def _draws(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 1 <= n <= MAX_DRAWS:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_DRAWS:,}, not {n:,}")
    return n


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
    (("--draws",), {"type": _draws, "default": 2000, "metavar": "N",
                    "help": f"random weight vectors drawn (default: 2000, at most "
                            f"{MAX_DRAWS:,})"}),
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
