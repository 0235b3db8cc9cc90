"""Quotes: find the quotes that match codes and text, each with the deck's caption.

A quote belongs to an interview, so it is found by any code of its interview
(service, site, attitude, ...), by its own journey stage and theme, or by words
in its text. `quote_matrix` groups the quotes found by a second dimension, as
MAXQDA's Interactive Quote Matrix does.

The caption is the one ``quotes.csv`` stores for the quote (the deck's, word
for word) where there is one; otherwise, and always in an anonymised study
(whose stored captions name the speaker and the exact age), it is built from
the speaker (or pseudonym), the age (or age band), the service and the site.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synergi_analysis._codings import (
    _coded,
    _fresh,
    _values,
    _wanted,
    base_dimension,
    dimension_name,
    illustrative_of,
    matching,
    where_pairs,
)
from synergi_analysis.codebook import Codebook, _check_lang
from synergi_analysis.study import Study
from synergi_analysis.words import word

__all__ = ["quotes", "quote_matrix", "caption"]

_QUOTE_COLUMNS = ["quote_id", "interview_id", "text", "caption", "speaker", "age", "age_band",
                  "service", "site", "visitor_type", "attitude", "stage", "theme"]


def caption(*, speaker=None, age=None, age_band=None, service=None, site=None,
            lang: str = "da") -> str:
    """A caption built from a quote's codes: ``"Lone, 61 år, Pas (Næstved)"``.

    Used where ``quotes.csv`` stores no caption of its own (the deck's, word for
    word) and always in an anonymised study. Parts that are missing are left
    out; without an exact age (as in an anonymised study) the age band stands
    in its place.

    Examples
    --------
    >>> caption(speaker="Lone", age=61, service="Pas", site="Næstved")
    'Lone, 61 år, Pas (Næstved)'
    >>> caption(speaker="Borger 3", age_band="50-69", service="Passport", site="Næstved",
    ...         lang="en")
    'Borger 3, aged 50-69, Passport (Næstved)'
    """
    _check_lang(lang)
    parts = []
    if _present(speaker):
        parts.append(str(speaker))
    if _present(age):
        parts.append(word("quote.age", lang).format(int(age)))
    elif _present(age_band):
        parts.append(word("quote.age", lang).format(age_band))
    where = f"({site})" if _present(site) else ""
    last = " ".join(str(p) for p in (service, where) if _present(p) and p != "")
    if last:
        parts.append(last)
    return ", ".join(parts)


def _present(value) -> bool:
    return value is not None and not (pd.api.types.is_scalar(value) and pd.isna(value)) \
        and str(value).strip() != ""


def quotes(
    data,
    *,
    service=None,
    site=None,
    attitude=None,
    age_band=None,
    visitor_type=None,
    stage=None,
    theme=None,
    contains: str | None = None,
    where=None,
    interviews: pd.DataFrame | None = None,
    codebook: Codebook | None = None,
    memos: pd.DataFrame | None = None,
    lang: str | None = None,
) -> pd.DataFrame:
    """The quotes that match every filter given, each with the deck's caption.

    Parameters
    ----------
    data : Study or pandas.DataFrame
        The study, or a quote frame (a selection of `Study.quotes`) with
        ``interviews=`` and ``codebook=``.
    service, site, attitude, age_band, visitor_type, stage : str or list of str, optional
        Keep quotes whose interview (for ``stage``: the quote itself) has one
        of these values: keys or Danish or English labels, in any case. An
        attitude key (``"A"``) matches it on every scale; a label
        (``"Den forstyrrede"``) or ``"bibliotek:A"`` on one.
    theme : str or list of str, optional
        Keep quotes with one of these themes (any case).
    contains : str, optional
        Keep quotes whose text contains this, in any case (plain text, not a pattern).
    where : mapping of str to str or list of str, or list of pairs, optional
        Keep quotes whose interview has these codes, on any coded dimension or
        journey stage (``{"competence": "navigationssvag", "forberedelse": "åben"}``):
        values of one dimension combine with OR, dimensions (and the filters
        above) with AND. Keys or labels, in any case; dimensions by name or
        label. A list of ``(dimension, values)`` pairs may name a dimension twice.
    interviews : pandas.DataFrame, optional
        With a quote frame: the interview frame its quotes come from.
    codebook : Codebook, optional
        With a quote frame: the codebook.
    memos : pandas.DataFrame, optional
        Memos (`synergi_analysis.qda.study_memos`): the text of each note about a
        quote joins the quote's ``memo``; default a study's own.
    lang : {"da", "en"}, optional
        Label language of the coded columns and the caption; default the study's.

    Returns
    -------
    pandas.DataFrame
        One row per matching quote, ordered by interview (in the interview
        frame's order), then as in the quote frame (none when nothing matches).
        Columns: ``quote_id``, ``interview_id``, ``text`` (the quote exactly
        as stored: no markup is stripped or escaped), ``caption`` (the stored
        one, "Lone, 61 år, nyt pas (Næstved)", else built by `caption`; in an
        anonymised study always built: pseudonym and age band), ``speaker`` (str or
        missing), ``age`` (Int64), and the labels of ``age_band``, ``service``,
        ``site``, ``visitor_type``, ``attitude`` (on the visitor type's scale)
        and ``stage`` (str or missing), ``theme`` (str or missing); and ``memo``
        (the coding comment and the notes about the quote, one per line; empty
        when there are none) when the quotes have a ``memo`` column or
        ``memos`` are given.
        ``attrs``: ``kind="quotes"``, ``lang``, ``illustrative`` (the marked
        dimensions the quotes were chosen by), ``labels``.

    Examples
    --------
    >>> from synergi_analysis import load_study
    >>> study = load_study()
    >>> quotes(study, contains="chancenummer")["caption"].tolist()
    ['Lone, 61 år, nyt pas (Næstved)']
    >>> quotes(study.anonymised(), contains="chancenummer")["caption"].tolist()
    ['Borger 14, 50-69 år, Pas (Næstved)']
    """
    anonymous, selection = False, ()
    if isinstance(data, Study):
        anonymous, selection = data.anonymous, data.selection
        if memos is None:
            from synergi_analysis.qda._memos import study_memos

            memos = study_memos(data)
            memos = memos if len(memos) else None
        data, interviews, codebook, lang = (data.quotes, data.interviews,
                                            codebook or data.codebook, lang or data.lang)
    elif interviews is None or codebook is None:
        raise ValueError("data: a quote frame needs interviews= and codebook= (or pass the Study)")
    lang = lang or "da"
    _check_lang(lang)
    if contains is not None and not isinstance(contains, str):
        raise ValueError(f"contains must be a string, not {contains!r}")
    q = _fresh(data)
    iv = _fresh(interviews).drop_duplicates("interview_id")
    memo_of = q["memo"] if "memo" in q else None
    stored = "caption" in q.columns and not anonymous
    merged = q[["quote_id", "interview_id", "text", "stage", "theme",
                *(["caption"] if stored else [])]].rename(columns={"caption": "_caption"}).assign(
        memo=memo_of.fillna("").astype(str) if memo_of is not None else "").merge(
        iv, on="interview_id", how="left", suffixes=("", "_interview"), validate="many_to_one")
    filters = {"service": service, "site": site, "attitude": attitude, "age_band": age_band,
               "visitor_type": visitor_type}
    pairs = [(k, v) for k, v in filters.items() if v is not None] + where_pairs(where)
    keep = pd.Series(matching(merged, codebook, pairs), index=merged.index)
    if stage is not None:
        keys = _wanted(codebook, "journey_stage", "stage", stage)
        keep &= merged["stage"].astype(object).isin(keys)
    if theme is not None:
        themes = {str(t).strip().casefold() for t in ([theme] if isinstance(theme, str)
                                                       else theme)}
        keep &= merged["theme"].astype(object).map(
            lambda t: _present(t) and str(t).strip().casefold() in themes).astype(bool)
    if contains is not None:
        needle = contains.casefold()
        keep &= merged["text"].astype(str).map(lambda t: needle in t.casefold()).astype(bool)
    merged = merged[keep.to_numpy(dtype=bool)]
    # Grouped by person, in interview order: the same quotes give the same table
    # whether they came from quotes.csv (any order) or from a QDA project.
    position = {k: i for i, k in enumerate(iv["interview_id"])}
    rank = merged["interview_id"].map(position).fillna(len(position))
    merged = merged.iloc[np.argsort(rank.to_numpy(), kind="stable")].reset_index(drop=True)

    out = pd.DataFrame({
        "quote_id": merged["quote_id"].astype(object),
        "interview_id": merged["interview_id"].astype(object),
        "text": merged["text"].astype(object),
    })
    labelled = {}
    for name in ("age_band", "service", "site", "visitor_type", "attitude"):
        if name in codebook and _coded(codebook, name).column in merged:
            labels = _coded(codebook, name).labels(lang)
            labelled[name] = _values(merged, codebook, name).map(labels).reindex(merged.index)
        else:
            labelled[name] = pd.Series(pd.NA, index=merged.index, dtype=object)
    stage_labels = codebook.labels("journey_stage", lang=lang) if codebook.stages else {}
    speaker = (merged["speaker"].astype(object) if "speaker" in merged
               else pd.Series(None, index=merged.index, dtype=object))
    age = (merged["age"].astype("Int64") if "age" in merged
           else pd.Series(pd.NA, index=merged.index, dtype="Int64"))
    built = [
        caption(speaker=speaker.iloc[i], age=age.iloc[i], age_band=labelled["age_band"].iloc[i],
                service=labelled["service"].iloc[i], site=labelled["site"].iloc[i], lang=lang)
        for i in range(len(merged))
    ]
    if stored:  # the deck's own caption, word for word, where quotes.csv has one
        built = [str(c).strip() if _present(c) else b
                 for c, b in zip(merged["_caption"], built, strict=True)]
    out["caption"] = built
    out["speaker"] = speaker.where(speaker.notna(), None).astype(object)
    out["age"] = age.reset_index(drop=True)
    for name, values in labelled.items():
        out[name] = values.astype(object)
    out["stage"] = merged["stage"].astype(object).map(stage_labels).astype(object)
    out["theme"] = merged["theme"].astype(object)
    if memo_of is not None or memos is not None:
        notes: dict[str, list[str]] = {}
        if memos is not None and len(memos):
            about = memos[(memos["kind"] == "note") & (memos["refers_to"] == "quote")]
            for target, text in zip(about["target"], about["text"], strict=True):
                notes.setdefault(str(target), []).append(str(text))
        out["memo"] = ["\n".join(m for m in [own, *notes.get(str(qid), [])] if m)
                       for own, qid in zip(merged["memo"], merged["quote_id"], strict=True)]
    out = out[[*_QUOTE_COLUMNS, *(["memo"] if "memo" in out else [])]]
    names = [dimension_name(codebook, n) for n, _ in pairs] + list(selection)
    if stage is not None:
        names.append("journey_stage")
    marked = illustrative_of(codebook, names, lang)
    out.attrs = {"kind": "quotes", "lang": lang, "illustrative": marked,
                 "labels": {d: codebook.dimension_label(d, lang=lang) for d in marked}}
    return out


def quote_matrix(data, *, by: str, lang: str | None = None, **filters) -> pd.DataFrame:
    """The quotes that match ``filters``, grouped by the values of a second dimension.

    As MAXQDA's Interactive Quote Matrix: one group per value of ``by`` in
    codebook order (a site report's quotes by service, a service report's by
    attitude), each holding the quotes whose interview has that value. A
    multi-valued dimension puts a quote under each of its interview's values;
    interviews without a code on ``by`` are grouped last as "Ikke kodet" /
    "Not coded".

    Parameters
    ----------
    data : Study or pandas.DataFrame
        As for `quotes`.
    by : str
        The grouping dimension or journey stage, by name or label.
    lang : {"da", "en"}, optional
        Label language; default the study's.
    **filters
        Any filter of `quotes` (``service=``, ``site=``, ``where=``, ``contains=``, ...).

    Returns
    -------
    pandas.DataFrame
        One row per (group, quote), groups in codebook order: ``group`` (the
        value of ``by``, its label; an ordered categorical holding every value,
        quoted or not), then the columns of `quotes`. ``attrs``: ``kind="quote_matrix"``,
        ``by``, ``counts`` (``{group label: number of quotes}``, every value of
        ``by`` included, 0 where none), ``lang``, ``labels``, ``illustrative``
        (of the filters and of ``by``).

    Examples
    --------
    >>> from synergi_analysis import load_study
    >>> matrix = quote_matrix(load_study(), by="attitude", service="pas")
    >>> {k: v for k, v in matrix.attrs["counts"].items() if v}
    {'Den uinteresserede negative': 1, 'Den travle positive': 2, 'Den opsøgende positive': 1}
    """
    from synergi_analysis.words import word

    study_lang = data.lang if isinstance(data, Study) else None
    lang = lang or study_lang or "da"
    found = quotes(data, lang=lang, **filters)
    codebook = filters.get("codebook") or data.codebook
    interviews = filters.get("interviews") if not isinstance(data, Study) else data.interviews
    by = dimension_name(codebook, by)
    coded = _coded(codebook, by)
    labels = coded.labels(lang)
    iv = _fresh(interviews).drop_duplicates("interview_id").reset_index(drop=True)
    values = _values(iv, codebook, by)
    per_interview = pd.DataFrame({"interview_id": iv.loc[values.index, "interview_id"].to_numpy(),
                                  "_key": values.to_numpy()})
    not_coded = word("table.not_coded", lang)
    rows = found.reset_index(drop=True).reset_index(names="_row").merge(
        per_interview, on="interview_id", how="left")
    order = list(coded.keys)
    rows["_pos"] = rows["_key"].map({k: i for i, k in enumerate(order)}).fillna(len(order))
    rows = rows.sort_values(["_pos", "_row"], kind="stable")
    group = rows["_key"].map(labels).fillna(not_coded)
    categories = [labels[k] for k in order] + [not_coded]
    out = rows.drop(columns=["_row", "_key", "_pos"]).reset_index(drop=True)
    out.insert(0, "group", pd.Categorical(group.to_numpy(), categories=categories,
                                          ordered=True))
    counts = out["group"].value_counts(sort=False).reindex(categories, fill_value=0)
    if counts[not_coded] == 0:
        out["group"] = out["group"].cat.remove_categories([not_coded])
        counts = counts.drop(not_coded)
    label = (codebook.dimension_label(by, lang=lang) if by in codebook
             else codebook.label("journey_stage", coded.column, lang=lang))
    marked = illustrative_of(codebook, [*found.attrs.get("illustrative", {}), by], lang)
    base = base_dimension(codebook, by)
    out.attrs = {"kind": "quote_matrix", "lang": lang, "by": by,
                 "counts": {str(k): int(v) for k, v in counts.items()},
                 "labels": {**found.attrs.get("labels", {}), "group": label,
                            **({base: codebook.dimension_label(base, lang=lang)}
                               if base in marked else {})},
                 "illustrative": marked}
    return out
