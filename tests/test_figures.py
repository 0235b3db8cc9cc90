"""``synergi figures``: one file per chart, sized for a 16:9 slide at 200 dpi or more."""

from __future__ import annotations

import matplotlib.image as mpimg
import pytest

from synergi_analysis.cli import main
from synergi_analysis.figures import FIGURES
from synergi_analysis.style import SLIDE_SIZE

DECK_CHARTS = ["service-by-age", "attitudes", "journey", "competence", "life-situations",
               "cooccurrence"]


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """Run ``synergi figures`` once on the shipped data; the tests read what it wrote."""
    out = tmp_path_factory.mktemp("figures") / "reports" / "figures"
    code = main(["figures", "--out", str(out)])
    return code, out


def test_writes_one_png_per_chart(written, capsys):
    code, out = written
    assert code == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(f"{name}.png" for name in FIGURES)
    assert set(DECK_CHARTS) <= set(FIGURES)


@pytest.mark.parametrize("name", DECK_CHARTS)
def test_png_is_a_16_9_slide_at_200_dpi(written, name):
    _, out = written
    image = mpimg.imread(out / f"{name}.png")
    height, width = image.shape[:2]
    assert width / height == pytest.approx(16 / 9, rel=2e-3)
    assert width >= int(SLIDE_SIZE[0] * 200) and height >= int(SLIDE_SIZE[1] * 200)
    # Something is drawn: not a blank white page.
    assert image[..., :3].min() < 0.5


def test_every_registered_chart_is_a_16_9_png(written):
    _, out = written
    for name in FIGURES:
        height, width = mpimg.imread(out / f"{name}.png").shape[:2]
        assert width / height == pytest.approx(16 / 9, rel=2e-3), name
        assert height >= 1500, name


def test_default_folder_is_reports_figures(tmp_path, monkeypatch, capsys, data_dir):
    monkeypatch.chdir(tmp_path)
    assert main(["figures", "--format", "pdf", "--lang", "en", "--data", str(data_dir)]) == 0
    out, _ = capsys.readouterr()
    folder = tmp_path / "reports" / "figures"
    assert out.splitlines()[0] == f"wrote {folder.relative_to(tmp_path) / 'service-by-age.pdf'}"
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{n}.pdf" for n in FIGURES)
    assert (folder / "journey.pdf").read_bytes().startswith(b"%PDF")


def test_figures_into_a_file_is_bad_input(tmp_path, capsys):
    taken = tmp_path / "taken"
    taken.write_text("not a folder")
    assert main(["figures", "--out", str(taken)]) == 2
    _, err = capsys.readouterr()
    assert "not a folder" in err and "Traceback" not in err


def test_every_slide_of_the_shipped_study_carries_the_illustrative_caveat(study):
    for name, draw in FIGURES.items():
        note = draw(study, "en").get_supxlabel().replace("\n", " ")
        assert "Illustrative codings: " in note, name


@pytest.mark.parametrize(("lang", "mark"), [("da", "0,2"), ("en", "0.2")])
def test_a_slide_writes_its_numbers_as_its_language_does(study, lang, mark):
    from synergi_analysis.style import house_style

    with house_style():
        fig = FIGURES["ranking"](study, lang)
        fig.draw_without_rendering()
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert mark in ticks and not [t for t in ticks if ("." if lang == "da" else ",") in t]
    # A count is written without a separator a decimal mark could be mistaken for.
    assert " 1000 bootstrap" in fig.get_supxlabel().replace("\n", " ")
    with house_style():
        fig = FIGURES["attitudes"](study, lang)
    shares = [t.get_text() for ax in fig.axes for t in ax.texts if t.get_text().endswith("%")]
    assert shares and all(s.endswith(" %") == (lang == "da") for s in shares)
