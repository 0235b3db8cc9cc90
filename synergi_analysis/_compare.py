"""One group of interviews against the rest: the table for one chart, and its test.

`synergi_analysis.display.compare` shows a report's subject (a service's users,
a site's visitors) beside all interviews. The chart shows the subject and
everyone; the test compares the subject with the *other* interviews, since a
test of a group against a whole that contains it would count its interviews
twice. Per part (a visitor type's scale, a journey stage) it is an exact test of
the subject-or-not × value table (`synergi_analysis.stats.independence_test`),
Holm-adjusted over the parts (`stats.combined_tests`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synergi_analysis import stats
from synergi_analysis._format import p_value
from synergi_analysis.words import LANGS, word

__all__ = ["stacked", "versus_rest"]


def _p_text(p: float, lang: str) -> str:
    shown = p_value(p, lang)
    return f"p {shown}" if shown.startswith("<") else f"p = {shown}"


def _sentence(result: dict, who: dict[str, str]) -> dict[str, str]:
    """The test's result in words: "Forskellen mellem ydelsens brugere og de øvrige ..."."""
    p = result["p"]
    where = None
    parts = result.get("parts") or []
    if len(parts) > 1:
        best = min(parts, key=lambda part: part["p_holm"])
        where = best["part"]
    out = {}
    for lang in LANGS:
        key = "report.versus_chance" if p >= stats.ALPHA else "report.versus_not_chance"
        text = word(key, lang, who=who[lang], p=_p_text(p, lang))
        if where is not None and p < stats.ALPHA:
            text = text[:-1] + word("stats.at", lang, part=where[lang]) + "."
        if len(parts) > 1:
            text = text[:-1] + " " + word("stats.holm", lang) + "."
        out[lang] = text
    return out


def _part_tables(part: pd.DataFrame, whole: pd.DataFrame, attrs: dict):
    """``(part label, 2 × k counts)`` per tested part: the subject's row, then the rest's."""
    kind = attrs.get("kind")
    if kind == "attitudes":
        scale = attrs["scale"]
        coded_part = part[part["code"].notna()]
        coded_whole = whole[whole["code"].notna()]
        for value in coded_whole[scale].cat.categories:
            mine = coded_part[coded_part[scale] == value].set_index("code")["count"]
            everyone = coded_whole[coded_whole[scale] == value].set_index("code")["count"]
            if everyone.empty:
                continue
            mine = mine.reindex(everyone.index, fill_value=0)
            yield value, np.vstack([mine.to_numpy(), (everyone - mine).to_numpy()])
    elif kind == "journey":
        for stage, mine, everyone in zip(part["stage"], part[["open", "closed"]].to_numpy(),
                                         whole[["open", "closed"]].to_numpy(), strict=True):
            yield stage, np.vstack([mine, everyone - mine])


def versus_rest(part: pd.DataFrame, whole: pd.DataFrame, *, labels: dict[str, dict],
                who: dict[str, str]) -> dict | None:
    """The exact test of the subject's interviews against the other interviews.

    Parameters
    ----------
    part, whole : pandas.DataFrame
        The same analysis (`patterns.attitudes` or `patterns.journey`, not split)
        of the subject's interviews and of all interviews.
    labels : dict
        ``{part label in the table's language: {"da": ..., "en": ...}}``: each
        tested part (a scale, a stage) named in both languages.
    who : dict
        The subject's interviewees in words, per language ("ydelsens brugere").

    Returns
    -------
    dict or None
        As `stats.combined_tests` (``name``, ``p``, ``parts``, ...) with the
        ``sentence`` saying what was compared; ``compared`` is ``"rest"``. None
        where no part has two groups with interviews to compare (the subject
        holds them all, or has none).

    Examples
    --------
    >>> from synergi_analysis import load_study
    >>> from synergi_analysis.patterns import journey
    >>> study = load_study()
    >>> part = journey(study.subset({"service": "pas"}))
    >>> names = {s: {"da": s, "en": s} for s in part["stage"]}
    >>> result = versus_rest(part, journey(study), labels=names,
    ...                      who={"da": "ydelsens brugere", "en": "the service's users"})
    >>> result["sentence"]["en"].startswith("The difference between the service's users and")
    True
    """
    tested = []
    for name, counts in _part_tables(part, whole, part.attrs):
        where = labels.get(str(name), {lang: str(name) for lang in LANGS})
        tested.append((where, stats.independence_test(counts)))
    result = stats.combined_tests(tested, label={lang: "" for lang in LANGS})
    if result is None:
        return None
    if "parts" not in result:
        result["parts"] = []
    return {**result, "compared": "rest", "sentence": _sentence(result, who)}


def stacked(part: pd.DataFrame, whole: pd.DataFrame, groups: list[str]) -> pd.DataFrame:
    """The two tables one below the other, a ``group`` column first telling them apart."""
    table = pd.concat([part.assign(group=groups[0]), whole.assign(group=groups[1])],
                      ignore_index=True)
    table["group"] = pd.Categorical(table["group"], categories=groups, ordered=True)
    for column in part.columns:  # categories lost in the stacking
        if isinstance(part[column].dtype, pd.CategoricalDtype):
            table[column] = pd.Categorical(table[column], dtype=part[column].dtype)
    return table[["group", *[c for c in table.columns if c != "group"]]]
