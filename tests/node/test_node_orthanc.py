"""Round trip with a real PACS: Orthanc sends a phantom study to the node, the node
analyses it and stores SEG, SR and Encapsulated PDF back into Orthanc's study."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from node_helpers import ORTHANC_AE, Orthanc, free_port, wait_for, write_config

from conftest import PhantomFiles
from strokescope.node.config import load_config
from strokescope.node.index import SendRow
from strokescope.node.service import Node


def _results(orthanc: Orthanc, study_uid: str) -> dict[str, list[dict[str, object]]] | None:
    series = orthanc.series_by_modality(study_uid)
    return series if {"SEG", "SR", "DOC"} <= set(series) else None


def _all_sent(node: Node) -> list[SendRow]:
    rows = node.index.sends()
    return rows if rows and all(r.state == "sent" for r in rows) else []


def test_orthanc_round_trip(
    tmp_path: Path, phantom: PhantomFiles, make_orthanc: Callable[[Path, int], Orthanc]
) -> None:
    node_port = free_port()
    orthanc = make_orthanc(tmp_path / "orthanc", node_port)
    config = write_config(
        tmp_path,
        port=node_port,
        allowed=[(ORTHANC_AE, "127.0.0.1")],
        destinations=[(ORTHANC_AE, orthanc.dicom_port)],
        quiet_s=1.0,
    )
    study = orthanc.upload(phantom.all)
    with Node(load_config(config)) as node:
        job = orthanc.request("POST", "/modalities/node/store", study.encode())
        assert job.get("Failed", 0) == 0, job
        series = wait_for(lambda: _results(orthanc, phantom.study_uid), 120, "SEG, SR and PDF")
        # Orthanc indexes the last file before the node has read its C-STORE response.
        sends = wait_for(lambda: _all_sent(node), 30, "the node to record the sends")
        studies = node.index.studies()
    # Orthanc files the results under the same Study Instance UID: they reference the study.
    assert [len(series[m]) for m in ("CT", "SEG", "SR", "DOC")] == [2, 1, 1, 1]
    seg = orthanc.get(f"/series/{series['SEG'][0]['ID']}/instances")[0]
    tags = orthanc.get(f"/instances/{seg['ID']}/simplified-tags")
    assert tags["StudyInstanceUID"] == phantom.study_uid
    cta_uids = {s["MainDicomTags"]["SeriesInstanceUID"] for s in series["CT"]}
    referenced = {r["SeriesInstanceUID"] for r in tags["ReferencedSeriesSequence"]}
    assert referenced and referenced <= cta_uids
    assert [(s.state, s.instances, s.analyses) for s in studies] == [("analysed", 160, 1)]
    assert "occlusion" in studies[0].detail
    assert len(sends) == 3 and {s.state for s in sends} == {"sent"}
