"""HT on request: ``strokescope listen --ht`` queues a measurement on a received study's
follow-up NCCT in the node's index; the node measures it once (also across restarts) and
sends SEG, SR and PDF that reference that study; a bad request is refused in one line."""

from __future__ import annotations

import shutil
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from node_helpers import dicom_files, free_port, send_files, wait_for, write_config

from conftest import PhantomFiles
from strokescope import pipeline
from strokescope.cli import main
from strokescope.node import ht_queue
from strokescope.node.config import load_config
from strokescope.node.index import INDEX_NAME, Index
from strokescope.node.service import Node


@dataclass(frozen=True)
class FollowUp:
    """A written follow-up NCCT study with a parenchymal haematoma."""

    files: tuple[Path, ...]
    study_uid: str
    series_uid: str
    click: str  # the voxel at the bleed's centre, as --click takes it
    lps: tuple[float, float, float]  # the same point in LPS mm
    truth_ml: float


@pytest.fixture(scope="module")
def followup(tmp_path_factory: pytest.TempPathFactory) -> FollowUp:
    """Seed 7, small grid: a 10 mL haematoma on a 32 x 128 x 128 follow-up NCCT, which the
    phantom writes as a study of its own (as a scanner sends a 24 h control scan)."""
    import numpy as np
    import pydicom

    from strokescope.phantom import PhantomOptions, generate_study, write_study

    study = generate_study(PhantomOptions(seed=7, hemorrhage="PH", hemorrhage_ml=10.0).small())
    paths = write_study(study, tmp_path_factory.mktemp("node-ht") / "study", processes=1)
    assert paths.followup is not None
    files = tuple(dicom_files(paths.followup))
    ds = pydicom.dcmread(files[0], stop_before_pixels=True)
    k, j, i = (round(v) for v in np.argwhere(study.masks["hemorrhage"].array).mean(axis=0))
    x, y, z = (float(v) for v in study.followup.geometry.index_to_lps((k, j, i)))
    return FollowUp(
        files,
        str(ds.StudyInstanceUID),
        str(ds.SeriesInstanceUID),
        f"z={k} y={j} x={i}",
        (x, y, z),
        study.truth.hemorrhage_volume_ml,
    )


class Archive:
    """A C-STORE SCP recording (SOP Instance UID, Study Instance UID, Modality) of what it
    stores, and the series the SEG references."""

    def __init__(self) -> None:
        from pynetdicom import AE, AllStoragePresentationContexts, evt

        self.received: list[tuple[str, str, str]] = []
        self.seg_series: set[str] = set()
        ae = AE(ae_title="ARCHIVE")
        ae.supported_contexts = AllStoragePresentationContexts
        self.port = free_port()
        handlers = [(evt.EVT_C_STORE, self._store)]
        self.server = ae.start_server(("127.0.0.1", self.port), block=False, evt_handlers=handlers)

    def _store(self, event: Any) -> int:
        ds = event.dataset
        self.received.append((str(ds.SOPInstanceUID), str(ds.StudyInstanceUID), ds.Modality))
        if ds.Modality == "SEG":
            self.seg_series |= {str(r.SeriesInstanceUID) for r in ds.ReferencedSeriesSequence}
        return 0x0000


def _query(db: Path, sql: str) -> list[tuple[Any, ...]]:
    """Read the index with a connection of its own, as another process would."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return conn.execute(sql).fetchall()


def test_a_request_survives_a_restart_runs_once_and_its_results_reach_the_study(
    tmp_path: Path, followup: FollowUp, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = Archive()
    path = write_config(
        tmp_path, port=free_port(), destinations=[("ARCHIVE", archive.port)], quiet_s=0.5
    )
    config, db = load_config(path), tmp_path / "data" / INDEX_NAME
    command = ["listen", "--config", str(path), "--ht", followup.study_uid[-16:]]
    try:
        with Node(config) as node:
            assert send_files(followup.files, config.port) == [0] * len(followup.files)
            wait_for(lambda: node.index.studies()[0].state == "not analysed", 60, "the study")
        # The node is down: the request waits in its index.
        assert main([*command, "--click", followup.click]) == 0
        queued = f"HT request 1 queued for study 1 (click {followup.click})"
        assert queued in capsys.readouterr().out
        assert _query(db, "SELECT id, state, runs FROM requests") == [(1, "pending", 0)]
        with Node(config) as node:
            wait_for(
                lambda: [r.state for r in node.index.sends()] == ["sent"] * 3, 120, "the sends"
            )
        with Node(config):  # a third start: nothing runs or goes out again
            time.sleep(1.5)
    finally:
        archive.server.shutdown()
    assert _query(db, "SELECT state, runs FROM requests") == [("done", 1)]
    assert _query(db, "SELECT COUNT(*), COUNT(DISTINCT sop_uid) FROM sends") == [(3, 3)]
    assert sorted(m for _, _, m in archive.received) == ["DOC", "SEG", "SR"]
    assert {study for _, study, _ in archive.received} == {followup.study_uid}
    assert archive.seg_series == {followup.series_uid}  # measured on the follow-up NCCT
    results = sorted(p.relative_to(config.storage) for p in config.storage.rglob("results-*"))
    assert [p.parts[-2:] for p in results] == [("ht-001", "results-001")]
    index = Index(db)
    (done,) = ht_queue.requests(index)
    index.close()
    volume = float(done.detail.split()[1])  # "Hemorrhage 9.8 mL (ABC/2 ...)"
    assert volume == pytest.approx(followup.truth_ml, rel=0.3)
    (entry,) = pipeline.node_worklist(config.storage)
    assert entry.state == "delivered" and f"HT done: {done.detail}" in entry.detail
    # The viewer reads the node's result back instead of measuring again.
    assert entry.ht_results_folder == config.storage / results[0]
    back = pipeline.read_hemorrhage_results(entry.ht_results_folder)
    assert back.impression() == done.detail and back.rois[0].roi.seed is not None
    # Asking again for the same measurement queues nothing.
    assert main([*command, "--click", followup.click]) == 0
    assert capsys.readouterr().out.startswith(f"HT request 1 for study 1 is done: {done.detail}")
    assert len(_query(db, "SELECT id FROM requests")) == 1


def _store(storage: Path, index: Index, files: tuple[Path, ...], name: str) -> None:
    """Put ``files`` into the node's store and index them as the receiver would."""
    import pydicom

    for n, src in enumerate(files):
        ds = pydicom.dcmread(src, stop_before_pixels=True)
        rel = f"studies/{name}/{ds.SeriesInstanceUID}/{n}.dcm"
        (storage / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(src, storage / rel)
        index.add_instance(
            study_uid=str(ds.StudyInstanceUID), folder=f"studies/{name}",
            series_uid=str(ds.SeriesInstanceUID), sop_uid=str(ds.SOPInstanceUID), path=rel,
        )  # fmt: skip


@pytest.fixture
def stored(tmp_path: Path, phantom: PhantomFiles, followup: FollowUp) -> Path:
    """A node configuration whose index holds the baseline NCCT + CTA (study 1) and the
    follow-up (study 2); no node runs."""
    path = write_config(tmp_path, port=free_port())
    storage = load_config(path).storage
    index = Index(storage / INDEX_NAME)
    _store(storage, index, phantom.all, "baseline")
    _store(storage, index, followup.files, "followup")
    while (row := index.claim_complete(0.0)) is not None:  # complete, as the node leaves them
        index.finish(row.id, state="not analysed", detail="not analysed here")
    index.close()
    return path


BAD = {
    "unknown study": (["--ht", "9", "--click", "z=1 y=1 x=1"], "study '9': no such study"),
    "no follow-up": (["--ht", "1", "--click", "z=1 y=1 x=1"], "study 1: no follow-up NCCT: its"),
    "voxel outside": (["--ht", "2", "--click", "z=40 y=60 x=70"], "z=40 is outside the image"),
    "mm outside": (["--ht", "2", "--lps", "0", "0", "900"], "x=0 y=0 z=900 mm lies outside"),
    "box outside": (["--ht", "2", "--roi", "y=200:220 x=10:20"], "is outside the image"),
    "no point": (["--ht", "2"], "give a point on the bleed"),
    "no study": (["--click", "z=1 y=1 x=1"], "--click, --lps and --roi go with --ht STUDY"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_request_is_refused_in_one_line(
    stored: Path, case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args, message = BAD[case]
    assert main(["listen", "--config", str(stored), *args]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("strokescope listen: error: ") and message in err, err
    assert _query(stored.parent / "data" / INDEX_NAME, "SELECT * FROM requests") == []


def test_a_point_in_mm_becomes_the_voxel_and_an_interrupted_request_runs_again(
    stored: Path, followup: FollowUp
) -> None:
    storage = load_config(stored).storage
    first = pipeline.request_node_hemorrhage(storage, "2", points_lps=[followup.lps])
    assert (first.id, first.state, first.clicks) == (1, "pending", (followup.click,))
    again = pipeline.request_node_hemorrhage(storage, "2", clicks=[followup.click])
    assert again.id == first.id  # the same measurement: one request
    index = Index(storage / INDEX_NAME)
    claimed = ht_queue.claim_request(index)
    assert claimed is not None and (claimed.state, claimed.runs) == ("running", 1)
    index.close()  # killed while measuring: the request stays "running"
    index = Index(storage / INDEX_NAME)
    assert index.recover() == 1
    claimed = ht_queue.claim_request(index)
    assert claimed is not None and claimed.runs == 2
    files = [("1.2.3.9", "results/x/seg.dcm")]
    for _ in range(2):  # a second finish (a repeated run) queues nothing more
        ht_queue.finish_request(
            index, claimed, state="done", detail="ok", files=files, destinations=["A@h:1"]
        )
    assert [(r.study_id, r.sop_uid) for r in index.sends()] == [(2, "1.2.3.9")]
    assert ht_queue.claim_request(index) is None
    index.close()
