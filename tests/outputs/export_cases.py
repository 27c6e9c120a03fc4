"""Outputs test data: one small phantom study (DICOM) with an HT result and a hand-built
thrombus result from the phantom's truth mask."""

from __future__ import annotations

import contextlib
import resource
import signal
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from strokescope.hemorrhage import Roi
from strokescope.hemorrhage.prepare import prepare_ncct
from strokescope.hemorrhage.result import HemorrhageResult
from strokescope.hemorrhage.segment import segment_hemorrhage
from strokescope.io import load_volume
from strokescope.io.sitk_convert import read_mask
from strokescope.phantom import PhantomOptions, generate_study, write_study
from strokescope.thrombus.result import Thrombus, ThrombusResult
from strokescope.volume import Mask, Volume


@dataclass(frozen=True)
class Study:
    root: Path
    followup: Volume
    cta: Volume
    hemorrhage: HemorrhageResult
    thrombus: ThrombusResult
    patient_name: str
    patient_id: str
    birth_date: str


def make_thrombus(cta: Volume, mask: Mask) -> ThrombusResult:
    t = Thrombus(
        label=1,
        volume_mm3=mask.volume_mm3,
        length_mm=12.34,
        max_diameter_mm=3.21,
        ncct_mean_hu=61.27,
        ncct_sd_hu=5.0,
        cta_mean_hu=75.11,
        perviousness_hu=13.84,
        relative_attenuation=1.4,
        side="left",
        centroid_lps=(1.0, 2.0, 3.0),
        segment="M1",
        probability_mean=0.9,
        collateral_ratio=0.62,
    )
    return ThrombusResult(
        thrombi=(t,),
        occlusion=True,
        lvo=True,
        occlusion_class="LVO",
        mask=mask,
        cta_to_ncct=None,
        registration_metric=-0.5,
        model_version="test-1",
        model_sha256={"fine": "ab" * 32},
        decision_rule="LVO if clot in ICA/M1",
        warnings=("test warning (thrombus)",),
    )


def make_study(tmp_path_factory: pytest.TempPathFactory) -> Study:
    root = tmp_path_factory.mktemp("phantom")
    phantom = generate_study(PhantomOptions(seed=3, hemorrhage="PH", hemorrhage_ml=12).small())
    paths = write_study(phantom, root)
    assert paths.followup is not None and paths.cta is not None
    followup = load_volume(paths.followup)
    cta = load_volume(paths.cta)
    truth = read_mask(paths.masks["hemorrhage"]).array
    kk, jj, ii = np.nonzero(truth)
    roi = Roi(
        z=(int(kk.min()), int(kk.max())),
        y=(int(jj.min()) - 5, int(jj.max()) + 5),
        x=(int(ii.min()) - 5, int(ii.max()) + 5),
    )
    hemorrhage = segment_hemorrhage(prepare_ncct(followup), [roi])
    tmask = Mask(read_mask(paths.masks["thrombus"]).array, cta.geometry, "thrombus")
    return Study(
        root,
        followup,
        cta,
        hemorrhage,
        make_thrombus(cta, tmask),
        followup.meta.patient_name,
        followup.meta.patient_id,
        "19500101",
    )


@contextlib.contextmanager
def file_size_limit(size: int) -> Iterator[None]:
    """Writes of this process past ``size`` bytes of a file fail (EFBIG) or come out short,
    as on a full disk; SIGXFSZ is ignored meanwhile so the process is not killed."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, handler)
