"""Every word the package shows a reader, in each language, in one table.

Tables, charts, report headers and the index take their headings and notes
from here, so the two languages stay in step and one term is spelled one way.
A section groups the words of one place (``"header"``: a report's header);
each entry is a pair ``(Danish, English)``. Value labels (services, sites, ...)
are not here: they are the study's, in its codebook.
"""

from __future__ import annotations

from types import MappingProxyType

__all__ = ["LANGS", "words", "word"]

LANGS = ("da", "en")

_WORDS: dict[str, dict[str, tuple[str, str]]] = {
    "table": {
        "total": ("Antal", "Total"),
        "not_coded": ("Ikke kodet", "Not coded"),
        "interviews": ("interviews", "interviews"),
    },
    "quote": {
        "age": ("{} år", "aged {}"),
        "none": ("Ingen citater.", "No quotes."),
        "none_under": ("Ingen citater under: {values}.", "No quotes under: {values}."),
        "memo": ("Memo", "Memo"),
    },
    "agreement": {
        # Landis and Koch's (1977) reading of kappa.
        "poor": ("ringe", "poor"),
        "slight": ("svag", "slight"),
        "fair": ("rimelig", "fair"),
        "moderate": ("moderat", "moderate"),
        "substantial": ("betydelig", "substantial"),
        "almost_perfect": ("næsten perfekt", "almost perfect"),
        "kappa": ("Cohens kappa", "Cohen's kappa"),
        "title": ("Enighed mellem kodere pr. dimension", "Agreement between coders by dimension"),
        "bands": ("Landis og Kochs læsning", "Landis and Koch's reading"),
        "n": ("n = interviews begge har kodet", "n = interviews both coded"),
        "dimension": ("Dimension", "Dimension"),
        "value": ("Værdi", "Value"),
        "interviews": ("Interviews", "Interviews"),
        "share": ("Enighed", "Agreement"),
        "alpha": ("Krippendorffs alfa", "Krippendorff's alpha"),
        "reading": ("Læsning", "Reading"),
        "only_a": ("Kun {a}", "Only {a}"),
        "only_b": ("Kun {b}", "Only {b}"),
        "interview": ("Interview", "Interview"),
        "none": ("Ingen uenigheder.", "No disagreements."),
        "only_in": ("{n} interview(s) kun i {coding}, ikke sammenlignet: {ids}",
                    "{n} interview(s) only in {coding}, not compared: {ids}"),
        "no_pair": ("Der er ikke to kodninger at sammenligne: angiv parametrene a og b (to "
                    "kodninger af de samme interviews) eller et QDA-projekt kodet af to brugere.",
                    "There are no two codings to compare: give the parameters a and b (two "
                    "codings of the same interviews) or a QDA project coded by two users."),
    },
    "header": {
        "parameters": ("Parametre", "Parameters"),
        "data": ("Data", "Data"),
        "codebook": ("Kodebog", "Codebook"),
        "version": ("synergi-analysis", "synergi-analysis"),
        "shipped": ("den medfølgende undersøgelse", "the shipped study"),
        "interviews": ("interviews", "interviews"),
        "quotes": ("citater", "quotes"),
        "anonymised": ("anonymiseret", "anonymised"),
        "yes": ("ja", "yes"),
        "no": ("nej", "no"),
        "p_data": ("Data", "Data"),
        "p_lang": ("Sprog", "Language"),
        "p_anonymise": ("Anonymiseret", "Anonymised"),
        "p_sheet": ("Ark", "Sheet"),
        "p_sources": ("Kildetekster", "Source texts"),
        "p_weights": ("Vægte", "Weights"),
        "p_top_k": ("Top", "Top"),
        "p_b": ("Kodning B", "Coding B"),
        "p_coders": ("Kodere", "Coders"),
        "lang_da": ("dansk", "Danish"),
        "lang_en": ("engelsk", "English"),
        "equal_weights": ("lige vægte", "equal weights"),
    },
    "footer": {
        "data": ("data", "data"),
        "codebook": ("kodebog", "codebook"),
        "key": ("rapportnøgle", "report key"),
    },
    "index": {
        "reports": ("Rapporter", "Reports"),
        "report": ("Rapport", "Report"),
        "notebook": ("Notebook", "Notebook"),
        "parameters": ("Parametre", "Parameters"),
        "status": ("Status", "Status"),
        "rendered": ("Dannet", "Rendered"),
        "seconds": ("Tid", "Time"),
        "ok": ("ok", "ok"),
        "failed": ("fejlede", "failed"),
        "missing": ("ikke dannet", "not rendered"),
        "stale": ("ældre version vist", "older version shown"),
        "data": ("Data", "Data"),
        "codebook": ("Kodebog", "Codebook"),
        "version": ("synergi-analysis", "synergi-analysis"),
        "count": ("rapporter", "reports"),
        "interviews": ("interviews", "interviews"),
        "warnings": ("advarsler udeladt", "warnings left out"),
        "quotes": ("citater", "quotes"),
    },
    # Table headers for the columns the analyses return (display.show_table).
    "column": {
        "count": ("Interviews", "Interviews"),
        "share": ("Andel", "Share"),
        "interval": ("95 %-interval", "95% interval"),
        "interval_level": ("{level} %-interval", "{level}% interval"),
        "reach_range": ("muligt spænd", "possible range"),
        "tier": ("Niveau", "Tier"),
        "group_n": ("Gruppens n", "Group's n"),
        "group_base": ("Gruppens andel af de øvrige", "Group's share of the rest"),
        "usage_rank": ("Brugsplads", "Usage rank"),
        "usage_share": ("Andel af besøg", "Share of visits"),
        "judged": ("Kan bedømmes", "Can be judged"),
        "n": ("n", "n"),
        "p": ("p", "p"),
        "open": ("Åbne", "Open"),
        "closed": ("Lukkede", "Closed"),
        "not_coded": ("Ikke kodet", "Not coded"),
        "share_open": ("Andel åbne", "Share open"),
        "rank": ("Plads", "Rank"),
        "label": ("Navn", "Name"),
        "reach": ("Steder", "Reach"),
        "users": ("Brugere", "Users"),
        "groups": ("Brugergrupper", "User groups"),
        "links": ("Koblinger", "Links"),
        "total": ("Samlet score", "Total score"),
        "interviews": ("Interviews", "Interviews"),
        "group": ("Største brugergruppe", "Largest user group"),
        "group_dimension": ("Gruppens dimension", "Group's dimension"),
        "group_share": ("Gruppens andel", "Group's share"),
        "n_offers": ("Bibliotekstilbud", "Library offers"),
        "n_kinds": ("Slags tilbud", "Kinds of offer"),
        "offers": ("Tilbud", "Offers"),
        "offer": ("Bibliotekstilbud", "Library offer"),
        "kind": ("Slags", "Kind"),
        "deck_pick": ("Valgt i undersøgelsen", "Picked by the study"),
        "deck_group": ("Gruppe i valget", "Group in the pick"),
        "too_little_data": ("For lidt data", "Too little data"),
        "top_share": ("Andel i top {k}", "Share in the top {k}"),
        "rank_min": ("Bedste plads", "Best rank"),
        "rank_median": ("Midterste plads", "Median rank"),
        "rank_max": ("Dårligste plads", "Worst rank"),
        "without": ("Uden {}", "Without {}"),
        "max_shift": ("Største flytning", "Largest shift"),
        "lost_without": ("Urangeret uden", "Unranked without"),
        "members": ("Ydelser", "Services"),
        "best_rank": ("Bedste plads", "Best rank"),
        "in_top": ("Blandt de øverste", "Among the top"),
        "lift": ("Lift", "Lift"),
        "jaccard": ("Jaccard", "Jaccard"),
        "text": ("Citat", "Quote"),
        "caption": ("Hvem", "Who"),
        "speaker": ("Navn", "Name"),
        "age": ("Alder", "Age"),
        "theme": ("Tema", "Theme"),
        "quote_id": ("Citat", "Quote"),
        "dimension": ("Dimension", "Dimension"),
        "value": ("Værdi", "Value"),
        "agreement": ("Enighed", "Agreement"),
        "kappa": ("Kappa", "Kappa"),
        "alpha": ("Alfa", "Alpha"),
        "band": ("Læsning", "Reading"),
        "only_a": ("Kun A", "Only A"),
        "only_b": ("Kun B", "Only B"),
        "value_a": ("Kodning A", "Coding A"),
        "value_b": ("Kodning B", "Coding B"),
        "interview_id": ("Interview", "Interview"),
    },
    # Words a table shows in its cells.
    "value": {
        "yes": ("ja", "yes"),
        "no": ("nej", "no"),
        "missing": ("–", "–"),
        "physical": ("materialer", "materials"),
        "digital": ("digitalt", "digital"),
        "event": ("arrangement", "event"),
        "guidance": ("vejledning", "guidance"),
        "all": ("Alle interviews", "All interviews"),
        "others": ("Andre", "Others"),
    },
    # What a report says about itself: notes under tables and charts, panels left out.
    "report": {
        "no_interviews": ("Ingen interviews om {value} i denne undersøgelse, så rapporten har "
                          "ingen diagrammer eller tabeller.",
                          "No interviews about {value} in this study, so the report has no "
                          "charts or tables."),
        "no_interviews_site": ("Ingen interviews fra {value} i denne undersøgelse, så rapporten "
                               "har ingen diagrammer eller tabeller.",
                               "No interviews from {value} in this study, so the report has no "
                               "charts or tables."),
        "index_empty": ("ingen interviews", "no interviews"),
        "needs": ("Dette afsnit kræver {files}, som undersøgelsen ikke har.",
                  "This section needs {files}, which the study does not have."),
        "needs_report": ("Rapporten kræver {files}, som undersøgelsen ikke har.",
                         "The report needs {files}, which the study does not have."),
        "and": ("og", "and"),
        "no_facts": ("Undersøgelsen har ingen fakta om {value}.",
                     "The study has no facts about {value}."),
        "no_offers": ("Undersøgelsen knytter ingen bibliotekstilbud til {value}.",
                      "The study links no library offers to {value}."),
        "no_journey": ("Ingen af {who} er kodet på brugerrejsen, så diagrammet er udeladt.",
                       "None of {who} were coded on the visitor journey, so the chart is left "
                       "out."),
        "no_scale": ("Ingen {scale} blandt {who}; panelet er udeladt.",
                     "No {scale} among {who}; that panel is left out."),
        "same_scale": ("Alle undersøgelsens {scale} er blandt {who}, så de to søjler er ens.",
                       "Every {scale} in the study is among {who}, so the two bars are the "
                       "same."),
        "empty_chart": ("Ingen interviews at vise for {who}, så diagrammet er udeladt.",
                        "No interviews to show for {who}, so the chart is left out."),
        "users_of": ("ydelsens brugere", "the service's users"),
        "tiers_none": ("Ingen ydelse står klart foran de andre: alle {n} er lige gode inden "
                       "for usikkerheden.",
                       "No service stands clearly ahead of the others: all {n} are tied "
                       "within uncertainty."),
        "tiers": ("Rækkefølgen er kun sikker mellem niveauerne: {parts}. Ydelser på samme "
                  "niveau er lige gode inden for usikkerheden.",
                  "The order is clear only between the tiers: {parts}. Services in one tier "
                  "are tied within uncertainty."),
        "tier_part": ("niveau {tier}: {names} (plads {ranks})", "tier {tier}: {names} "
                      "(rank {ranks})"),
        "n_services": ("{n} ydelser", "{n} services"),
        "versus_chance": ("Forskellen mellem {who} og de øvrige interviewede kan være "
                          "tilfældig: {p}.",
                          "The difference between {who} and the other interviewees could be "
                          "chance: {p}."),
        "versus_not_chance": ("Forskellen mellem {who} og de øvrige interviewede er næppe "
                              "tilfældig: {p}.",
                              "The difference between {who} and the other interviewees is "
                              "unlikely to be chance: {p}."),
        "visitors_at": ("de besøgende i {value}", "the visitors at {value}"),
        "highlighted": ("{value} er fremhævet.", "{value} is highlighted."),
        "source": ("Kilde", "Source"),
        "facts": ("Fakta", "Facts"),
        "not_ranked": ("{value} er ikke rangeret: for lidt data (under {m} interviews).",
                       "{value} is not ranked: too little data (under {m} interviews)."),
        "figures": ("Figurer til slides", "Figures for slides"),
        "thumbnail": ("Første diagram", "First chart"),
        "layout": ("Tekst der overlapper i diagrammet {title!r}: {texts}",
                   "Overlapping text in the chart {title!r}: {texts}"),
    },
    # The facts of sites.csv and services.csv, by column.
    "fact": {
        "name": ("Navn", "Name"),
        "integration": ("Integration", "Integration"),
        "integration_year": ("Integreret siden", "Integrated since"),
        "borgerservice_hours_week": ("Borgerservice, timer pr. uge",
                                     "Citizen service, hours a week"),
        "light_hours_week": ("Let borgerservice, timer pr. uge",
                             "Light citizen service, hours a week"),
        "staff": ("Medarbejdere", "Staff"),
        "desks": ("Skranker", "Desks"),
        "fieldwork": ("Feltarbejde", "Field work"),
        "desk": ("Skranke i {site}", "Desk at {site}"),
        "fuld": ("fuld borgerservice", "full citizen service"),
        "light": ("let borgerservice", "light citizen service"),
        "bibliotek": ("bibliotekets skranke", "the library's desk"),
        "ingen": ("tilbydes ikke", "not offered"),
        "in_person": ("Kræver personligt fremmøde", "Needs the citizen in person"),
        "digital_self_service": ("Kan klares digitalt", "Can be done digitally"),
        "usage_rank": ("Plads efter antal brugere", "Rank by number of users"),
        "usage": ("Brug", "Use"),
        "usage_figure": ("{count} af {total} besøg", "{count} of {total} visits"),
        "survey": ("Stedets egen rundspørge", "The site's own survey"),
        "survey_answer": ("{yes} svarede ja, {no} nej ({size}).",
                          "{yes} said yes, {no} no ({size})."),
        "survey_n": ("{n} svar", "{n} answers"),
        "survey_no_n": ("antallet af svar er ikke oplyst", "the number of answers is not given"),
    },
    "journey": {
        "share": ("Andel åbne for nye input", "Share open to new input"),
        "n": ("kodet", "coded"),
    },
    "criterion": {
        "reach": ("Findes flest steder", "Offered at most places"),
        "users": ("Flest brugere", "Most users"),
        "groups": ("Afgrænsede brugergrupper", "Delimited user groups"),
        "links": ("Koblinger til biblioteket", "Links to the library"),
    },
    "explore": {
        # The explorer (synergi_analysis.explore): its controls, measures and notes.
        "rows": ("Rækker", "Rows"),
        "columns": ("Kolonner", "Columns"),
        "measure": ("Mål", "Measure"),
        "filters": ("Filtre", "Filters"),
        "no_filters": ("ingen", "none"),
        "clear": ("Ryd filtre", "Clear filters"),
        "count": ("Antal interviews", "Number of interviews"),
        "share_row": ("Andel af rækken", "Share of row"),
        "share_column": ("Andel af kolonnen", "Share of column"),
        "lift": ("Løft med n", "Lift with n"),
        "count_note": ("Hvert interview tælles én gang pr. kode; et interview med flere "
                       "livssituationer (eller andre flervalgskoder) tæller i hver af dem.",
                       "Each interview counts once per code; an interview with several life "
                       "situations (or other multi-valued codes) counts in each."),
        "share_row_note": ("Andel af rækkens interviews, der er kodet på begge dimensioner; "
                           "n er rækkens interviews.",
                           "Share of the row's interviews coded on both dimensions; n is the "
                           "row's interviews."),
        "share_column_note": ("Andel af kolonnens interviews, der er kodet på begge "
                              "dimensioner; n er kolonnens interviews.",
                              "Share of the column's interviews coded on both dimensions; n is "
                              "the column's interviews."),
        "lift_note": ("Løft: hvor mange gange oftere de to koder mødes i et interview end ved "
                      "tilfældighed (1 = som ved tilfældighed); n er interviews med begge koder.",
                      "Lift: how many times more often the two codes meet in an interview than "
                      "by chance (1 = as by chance); n is the interviews with both codes."),
        "n_view": ("{n} af {total} interviews", "{n} of {total} interviews"),
        "cell": ("Citater bag en celle", "Quotes behind a cell"),
        "row": ("Række", "Row"),
        "column": ("Kolonne", "Column"),
        "quotes_in": ("{row} × {column}: {n} interviews, {k} citater",
                      "{row} × {column}: {n} interviews, {k} quotes"),
        "empty_cell": ("Ingen interviews i denne celle.", "No interview in this cell."),
        "no_quotes": ("Cellens interviews har ingen citater.",
                      "The cell's interviews have no quotes."),
        "more_quotes": ("De første {shown} af {n} citater er vist; explorer.select(række, "
                        "kolonne) giver dem alle.",
                        "The first {shown} of {n} quotes are shown; explorer.select(row, column) "
                        "gives them all."),
        "empty_view": ("Ingen interviews passer til filtrene.",
                       "No interview matches the filters."),
        "save": ("Gem visningen", "Save this view"),
        "folder": ("Mappe", "Folder"),
        "saved": ("Gemt: {files}", "Saved: {files}"),
        "problem": ("Det gik ikke", "That did not work"),
    },
    "ranking": {
        "title": ("Synergipotentiale", "Synergy potential"),
        "total": ("Samlet score (vægtet gennemsnit af kriterierne)",
                  "Total score (weighted mean of the criteria)"),
        "criteria": ("Kriterier pr. ydelse", "Criteria per service"),
        "stability": ("Hvor stabil er rangeringen?", "How stable is the ranking?"),
        "share": ("Andel af {n}tilfældige vægtninger med plads i top {k}",
                  "Share of {n}random weightings that put it in the top {k}"),
        "range": ("plads {lo}–{hi}", "rank {lo}–{hi}"),
        "one": ("plads {lo}", "rank {lo}"),
        "flagged": ("Ikke rangeret, for lidt data (under {m} interviews): {names}",
                    "Not ranked, too little data (under {m} interviews): {names}"),
    },
    # -- analysis: caveats, intervals and tests (patterns, stats, ranking, plotting) --------
    "illustrative": {
        "caveat": ("Illustrative kodninger", "Illustrative codings"),
        "criterion": ("kriteriet {name}", "the criterion {name}"),
    },
    "stats": {
        "chance": ("Forskellene efter {dim} kan være tilfældige: {p}.",
                   "The differences by {dim} could be chance: {p}."),
        "not_chance": ("Forskellene efter {dim} er næppe tilfældige: {p}.",
                       "The differences by {dim} are unlikely to be chance: {p}."),
        "at": (" (ved {part})", " (at {part})"),
        "holm": ("(Holm-justeret for flere test)", "(Holm-adjusted for several tests)"),
        "groups": ("gruppe", "group"),
        "no_test": ("Ingen test: for få grupper med interviews at sammenligne.",
                    "No test: too few groups with interviews to compare."),
        "interval": ("Streger: 95 %-interval (Wilson).", "Whiskers: 95 % interval (Wilson)."),
        "share_all": ("Andel af alle gruppens interviews af den besøgstype, ikke kodede "
                      "medregnet.",
                      "Share of all the group's interviews of that visitor type, not coded "
                      "included."),
        "share_coded": ("Andel åbne blandt de interviews, der er kodet ved fasen (ikke kodede "
                        "udeladt).",
                        "Share open among the interviews coded at the stage (not coded left "
                        "out)."),
        "small": ("† færre end {m} interviews i cellen: tallet er usikkert.",
                  "† fewer than {m} interviews in the cell: the number is uncertain."),
        "small_column": ("small: cellen har færre end {m} interviews; tallet er usikkert.",
                         "small: the cell has fewer than {m} interviews; the number is "
                         "uncertain."),
        "lift_n": ("Løft og Jaccard regnet på de {n} interviews, der er kodet på begge "
                   "dimensioner.",
                   "Lift and Jaccard computed on the {n} interviews coded on both dimensions."),
    },
    "ranking_uncertainty": {
        "unranked": ("Ikke rangeret (ingen interviews): {names}",
                     "Not ranked (no interviews): {names}"),
        "flagged": ("Ikke rangeret (under {m} interviews): {names}",
                    "Not ranked (under {m} interviews): {names}"),
        "tied": ("Vandrette streger: 5.–95. percentil af den samlede score over {b} "
                 "bootstrap-gentrækninger af interviewene. Ydelser mellem to stiplede linjer "
                 "er lige gode inden for usikkerheden; kun de stiplede linjer er en sikker "
                 "rækkefølge. Foran navnet: pladsens interval.",
                 "Whiskers: 5th–95th percentile of the total over {b} bootstrap resamples "
                 "of the interviews. Services between two dashed lines are tied within "
                 "uncertainty; only the dashed lines are a clear order. Before the name: "
                 "the rank's interval."),
        "criterion_caveat": ("{caveat} (kriteriet {criterion})",
                             "{caveat} (criterion {criterion})"),
    },
}


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")


def words(section: str, lang: str) -> MappingProxyType:
    """The words of one section in one language, as a read-only mapping.

    Examples
    --------
    >>> words("table", "en")["not_coded"]
    'Not coded'
    """
    _check_lang(lang)
    i = LANGS.index(lang)
    return MappingProxyType({key: pair[i] for key, pair in _WORDS[section].items()})


def word(name: str, lang: str, **fields) -> str:
    """One word, named ``"section.key"``, with ``fields`` filled in.

    Examples
    --------
    >>> word("ranking.one", "da", lo=3)
    'plads 3'
    """
    section, _, key = name.partition(".")
    text = words(section, lang)[key]
    return text.format(**fields) if fields else text
