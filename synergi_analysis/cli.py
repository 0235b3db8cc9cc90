"""The ``synergi`` command: validate data, print tables, write figures and reports.

Bad input never ends in a traceback: every `StudyError` (and every invalid
argument, as `ValueError`) is printed as a message on stderr with exit code 2.
A file that cannot be written (`OutputError`, or any other `OSError`: a
read-only or full disk, a folder where a file should go) is one line naming it,
with exit code 1.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from synergi_analysis._cli_tables import TABLES, _rounded
from synergi_analysis._io import csv_safe
from synergi_analysis._version import __version__
from synergi_analysis.errors import OutputError, StudyError, ValidationError

__all__ = ["main", "TABLES", "subcommand", "format_table",
           "table_notes"]

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


# -- tables -------------------------------------------------------------------------


# Commands beyond validate and table: each is ``register(subparsers, add_data_option)``,
# added with the `subcommand` decorator further down this module.
_SUBCOMMANDS: list[Callable] = []


def subcommand(register: Callable) -> Callable:
    """Register a function that adds one ``synergi`` subcommand to the parser."""
    _SUBCOMMANDS.append(register)
    return register


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
        # Formula-safe (OWASP): a cell a spreadsheet would run gets a leading quote.
        return csv_safe(flat).to_csv(index=False, lineterminator="\n").rstrip("\n")
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

    return load_study(args.data, sources=args.sources, sheet=args.sheet)


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
        if args.sheet is not None:
            raise StudyError(f"{target}: --sheet is for an .xlsx workbook, not a QDA project")
        return _validate_qdpx(target, strict=args.strict, sources=args.sources)
    try:
        study = load_study(target, sources=args.sources, sheet=args.sheet)
    except ValidationError:
        # The wrong codebook may be why nothing fits: say which one was used.
        folder = Path(target).expanduser() if target is not None else None
        if folder is not None and folder.is_dir() and not (folder / "codebook.yml").is_file():
            from synergi_analysis.load import shipped_codebook_note

            print(f"warning: {shipped_codebook_note(folder)}", file=sys.stderr)
        raise
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


def _add_input_options(parser: argparse.ArgumentParser) -> None:
    """``--data`` and the options that say how to read it."""
    _add_data_option(parser)
    _add_sources_option(parser)
    parser.add_argument(
        "--sheet", metavar="NAME", default=None,
        help="for interviews in an .xlsx: the sheet to read (needed when several hold data)",
    )


def _add_sources_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--sources", metavar="DIR", default=None,
        help="for a QDA project: the folder of the texts it keeps outside itself "
             "(its own basePath is never read)",
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
    _add_input_options(p)
    p.add_argument("--strict", action="store_true",
                   help="for a QDA project: codes, variables and sets that map onto nothing, "
                        "and required dimensions without values, are errors too")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("table", help="print an analysis table")
    tables = p.add_subparsers(dest="table", required=True, metavar="NAME")
    for command in TABLES.values():
        t = tables.add_parser(command.name, help=command.help, description=command.help)
        _add_input_options(t)
        t.add_argument("--format", choices=["text", "csv", "markdown"], default="text")
        t.add_argument("--lang", choices=["da", "en"], default="da", help="label language")
        for flags, kwargs in command.arguments:
            t.add_argument(*flags, **kwargs)
        t.set_defaults(func=_cmd_table)

    for register in _SUBCOMMANDS:
        register(sub, _add_input_options)
    return parser


# -- qdpx: REFI-QDA projects (synergi_analysis.qdpx) --------------------------------


def _project_line(project) -> str:
    c = project.summary()
    origin = f" ({project.origin})" if project.origin else ""
    return (
        f"{project.file}{origin}: {c['sources']} sources ({c['text_sources']} text), "
        f"{c['selections']} selections, {c['codings']} codings over {c['codes_used']} of "
        f"{c['codes']} codes; positions read as {project.offsets}"
    )


def _validate_qdpx(target, *, strict: bool = False, sources=None) -> int:
    """``synergi validate PROJECT.qdpx``: what maps, dimension by dimension, and what is kept."""
    from synergi_analysis.qda import mapping_report

    table, problems, kept, project = mapping_report(target, strict=strict, sources=sources)
    print(_project_line(project))
    print(format_table(table, "text"))
    if not strict:
        for line in kept:
            print(f"kept: {line}")
    if problems:
        print(str(ValidationError(problems)), file=sys.stderr)
        return EXIT_BAD_INPUT
    if kept:
        mapped = int((table["found_as"] != "-").sum())
        print(f"{project.file}: valid: {mapped} of {len(table)} columns of the codebook map; "
              "what does not map is kept as listed (--strict makes it an error)")
    else:
        print(f"{project.file}: valid: every variable, code and set maps onto the codebook")
    return EXIT_OK


def _cmd_import_qdpx(args: argparse.Namespace) -> int:
    from synergi_analysis.qda import import_qdpx

    study = import_qdpx(args.project, args.out, codebook=args.codebook, overwrite=args.force,
                        sources=args.sources)
    print(_project_line(study.project))
    print(f"wrote {args.out}: interviews.csv ({len(study.interviews)} interviews), "
          f"quotes.csv ({len(study.quotes)} quotes), memos.csv ({len(study.memos)} memos), "
          "codebook.yml")
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
    _add_sources_option(p)
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


# -- agreement: inter-coder agreement (synergi_analysis.agreement) ---------------------


def _cmd_agreement(args: argparse.Namespace) -> int:
    from synergi_analysis.agreement import agreement, code_agreement, disagreements, only_in

    options = dict(coders=args.coders)
    if args.codes:
        table = _rounded(code_agreement(args.a, args.b, **options),
                         ["documents_agreement", "overlap"])
    elif args.details:
        table = disagreements(args.a, args.b, **options)
    else:
        table = _rounded(agreement(args.a, args.b, lang=args.lang, **options),
                         ["agreement", "kappa", "alpha"])
    a, b = table.attrs["coders"]
    print(f"coding A: {a}; coding B: {b}", file=sys.stderr)
    if not args.codes and not args.details:
        for line in only_in(table, lang="en"):
            print(f"note: {line}", file=sys.stderr)
    print(format_table(table, args.format))
    return EXIT_OK


@subcommand
def _register_agreement(sub, add_data_option) -> None:
    p = sub.add_parser(
        "agreement", help="inter-coder agreement of two codings of the same interviews",
        description="Compare two codings of the same interviews (two study folders, two "
                    "interviews files or two .qdpx), or the codings of two users in one "
                    ".qdpx: per coded dimension and journey stage the interviews both coded "
                    "(n), the share coded identically, Cohen's kappa, Krippendorff's alpha "
                    "(nominal) and Landis and Koch's reading of kappa; multi-valued "
                    "dimensions also per value.")
    p.add_argument("a", metavar="A", help="the first coding (or a .qdpx coded by two users)")
    p.add_argument("b", metavar="B", nargs="?", default=None, help="the second coding")
    p.add_argument("--coders", metavar="NAME,NAME", default=None,
                   help="with one .qdpx: the two users to compare (when it has more)")
    p.add_argument("--details", action="store_true",
                   help="list each disagreement: interview, dimension, A's and B's value")
    p.add_argument("--codes", action="store_true",
                   help="compare QDA codes instead: documents each code was applied to, and "
                        "the characters both coded with it")
    p.add_argument("--format", choices=["text", "csv", "markdown"], default="text")
    p.add_argument("--lang", choices=["da", "en"], default="da",
                   help="language of the reading bands")
    p.set_defaults(func=_cmd_agreement)


# -- ranking: the synergy-potential ranking (synergi_analysis.ranking) -----------------


# -- report: batch HTML reports (synergi_analysis.report) ------------------------------


def _cmd_report(args: argparse.Namespace) -> int:
    from synergi_analysis.report import render_batch

    summary = render_batch(
        args.spec, data=args.data, out=args.out, jobs=args.jobs, only=args.only,
        force=args.force, anonymise=args.anonymise, lang=args.lang, dask=args.dask,
        sheet=args.sheet, sources=args.sources,
    )
    for line in summary.problems():
        print(line, file=sys.stderr)
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
    _add_input_options(p)
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
    except OutputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except OSError as exc:
        # Reading is checked where files are read (StudyError): what is left is a
        # write the system refused, e.g. creating an output folder.
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"error: cannot write {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
