"""Node test fixtures: one small seeded phantom study (NCCT + CTA, left M1 clot) as DICOM
files, and Orthanc (skipped only when the ``Orthanc`` binary is absent)."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from node_helpers import Orthanc, dicom_files


@dataclass(frozen=True)
class PhantomFiles:
    """A written phantom study: its DICOM files by series and its Study Instance UID."""

    ncct: tuple[Path, ...]
    cta: tuple[Path, ...]
    study_uid: str

    @property
    def all(self) -> tuple[Path, ...]:
        return self.ncct + self.cta


@pytest.fixture(scope="session")
def phantom(tmp_path_factory: pytest.TempPathFactory) -> PhantomFiles:
    """80 x 128 x 128 NCCT + CTA (160 instances), seed 3: generated in about a second,
    analysed by the shipped models in a few."""
    import pydicom

    from strokescope.phantom import PhantomOptions, generate_study, write_study

    study = generate_study(PhantomOptions(seed=3).small())
    paths = write_study(study, tmp_path_factory.mktemp("node-phantom") / "study", processes=1)
    assert paths.cta is not None
    ncct, cta = dicom_files(paths.ncct), dicom_files(paths.cta)
    uid = str(pydicom.dcmread(ncct[0], stop_before_pixels=True).StudyInstanceUID)
    return PhantomFiles(tuple(ncct), tuple(cta), uid)


@pytest.fixture
def orthanc_binary() -> str:
    binary = shutil.which("Orthanc")
    if binary is None:
        pytest.skip("the Orthanc binary is not installed (Debian package 'orthanc')")
    return binary


@pytest.fixture
def make_orthanc(orthanc_binary: str) -> Iterator[Callable[[Path, int], Orthanc]]:
    """``make_orthanc(folder, node_port)`` starts an Orthanc that knows the node as the
    modality "node"; every one started is stopped after the test."""
    started: list[Orthanc] = []

    def start(folder: Path, node_port: int) -> Orthanc:
        server = Orthanc(folder, node_port=node_port)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
