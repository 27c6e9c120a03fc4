"""Opening a study folder: series roles by the header rules or by the user's pick."""

from __future__ import annotations

from pathlib import Path

import pytest

from strokescope import pipeline
from strokescope.errors import DicomLoadError


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from strokescope.phantom import PhantomOptions, generate_study, write_study

    opts = PhantomOptions(seed=4, occlusion="none").small()
    paths = write_study(generate_study(opts), tmp_path_factory.mktemp("s") / "study", processes=1)
    return paths.root


def test_header_rules_pick_ncct_and_cta_and_load_them(study: Path) -> None:
    opened = pipeline.open_study(study)
    assert set(opened.volumes) == {"baseline", "cta"}
    assert opened.series["baseline"].key != opened.series["cta"].key
    assert opened.volumes["cta"].shape == opened.volumes["baseline"].shape
    assert [c.split(":")[0] for c in opened.choices] == ["Baseline NCCT", "CTA"]
    assert not any("contrast-filled" in w for w in opened.warnings)


def test_a_pick_overrides_the_rules_and_the_cta_check_warns(study: Path) -> None:
    """Naming the NCCT as the CTA is what a user can do by mistake: the CTA vessel check
    (once only in the viewer) now warns on every path that opens a study."""
    auto = pipeline.open_study(study, roles=("baseline",), check_vessels=False)
    ncct_uid = auto.series["baseline"].series_uid
    opened = pipeline.open_study(study, cta_series=ncct_uid)
    assert opened.series["cta"].series_uid == ncct_uid
    assert "picked as" in opened.choices[1]
    assert any("shows no contrast-filled arteries" in w for w in opened.warnings)


def test_a_role_without_a_series_is_absent_not_an_error(tmp_path: Path, study: Path) -> None:
    opened = pipeline.open_study(study, roles=("baseline", "followup"), check_vessels=False)
    assert "followup" not in opened.volumes and "baseline" in opened.volumes


def test_a_pick_naming_no_series_is_a_one_line_error(study: Path) -> None:
    with pytest.raises(DicomLoadError) as err:
        pipeline.open_study(study, ncct_series="no such series")
    assert "\n" not in str(err.value)
