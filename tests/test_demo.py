"""End-to-end: `strokescope demo` generates the cached study once, then analyses it."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from strokescope import cli, demo

SMALL = dataclasses.replace(demo.DEMO_OPTIONS, hemorrhage_ml=12.0).small()


@pytest.fixture
def small_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(demo, "DEMO_OPTIONS", SMALL)


@pytest.mark.usefixtures("small_demo")
def test_demo_reports_series_truth_and_ht_beside_truth(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["demo", "--cache", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.count("HEAD") >= 3  # NCCT, CTA and follow-up series listed
    assert "left M1" in out and "Research use only, not for diagnosis." in out
    found = re.search(r"Truth: ([\d.]+) mL; measured ([\d.]+) mL", out)
    assert found is not None
    truth, measured = (float(v) for v in found.groups())
    assert truth == pytest.approx(12.0, rel=0.05)
    assert measured == pytest.approx(truth, rel=0.25)


@pytest.mark.usefixtures("small_demo")
def test_demo_study_is_generated_once_and_reused(tmp_path: Path) -> None:
    first = demo.ensure_demo_study(tmp_path)
    stamp = (first.root / "truth" / "truth.json").stat().st_mtime_ns
    second = demo.ensure_demo_study(tmp_path)
    assert second.root == first.root
    assert (second.root / "truth" / "truth.json").stat().st_mtime_ns == stamp
    assert [p.name for p in tmp_path.iterdir()] == [first.root.name]  # no staging left


@pytest.mark.usefixtures("small_demo")
def test_interrupted_generation_leaves_no_partial_study(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import strokescope.phantom as phantom

    def boom(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(phantom, "write_study", boom)
    with pytest.raises(KeyboardInterrupt):
        demo.ensure_demo_study(tmp_path)
    assert list(tmp_path.iterdir()) == []
