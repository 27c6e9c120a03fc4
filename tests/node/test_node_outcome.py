"""An outcome model in the DICOM node: checked at start, its probability in every export,
and a model that fails on a study never blocking the study's thrombus results."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from node_helpers import free_port, write_config

from conftest import PhantomFiles
from outcome_model_files import train_tiny_model
from strokescope import pipeline_outcome
from strokescope.errors import ModelError
from strokescope.node.analysis import analyse_study
from strokescope.node.config import NodeConfig, load_config
from strokescope.node.service import Node


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return train_tiny_model(tmp_path_factory.mktemp("outcome"))


def _stored(tmp_path: Path, phantom: PhantomFiles, model: Path) -> NodeConfig:
    """A node configuration naming ``model`` (relative to the file) and the phantom study
    in its storage, as the receiver files it."""
    shutil.copytree(model, tmp_path / "outcome")
    config = load_config(write_config(tmp_path, port=free_port(), outcome_model="outcome"))
    assert config.outcome_model == tmp_path / "outcome"
    study = config.storage / "studies" / "s"
    study.mkdir(parents=True)
    for i, path in enumerate(phantom.all):
        shutil.copy(path, study / f"{i:04d}.dcm")
    return config


def _prediction(config: NodeConfig, results: str) -> dict[str, object]:
    doc = json.loads((config.storage / results / "results.json").read_text())
    return doc["outcome"]["prediction"]  # type: ignore[no-any-return]


def test_every_analysed_study_carries_the_outcome_models_probability(
    tmp_path: Path, phantom: PhantomFiles, model: Path
) -> None:
    config = _stored(tmp_path, phantom, model)
    done = analyse_study(config, "studies/s", 1)
    assert done.state == "analysed" and len(done.files) == 3  # SEG, SR, PDF to send
    prediction = _prediction(config, done.results)
    assert isinstance(prediction["probability"], float) and 0 < prediction["probability"] < 1
    assert prediction["model"] == pipeline_outcome.check_outcome_model(config.outcome_model)


def test_a_model_failing_on_a_study_leaves_its_results_to_send(
    tmp_path: Path, phantom: PhantomFiles, model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise MemoryError("no memory left")

    config = _stored(tmp_path, phantom, model)
    monkeypatch.setattr(pipeline_outcome, "predict_outcome", broken)
    done = analyse_study(config, "studies/s", 1)
    assert done.state == "analysed" and len(done.files) == 3
    prediction = _prediction(config, done.results)
    assert prediction["probability"] is None
    assert prediction["reason"] == "the outcome model failed: MemoryError: no memory left"


def test_a_bad_outcome_model_stops_the_node_at_start(tmp_path: Path) -> None:
    (tmp_path / "outcome").mkdir()
    config = load_config(write_config(tmp_path, port=free_port(), outcome_model="outcome"))
    node = Node(config)
    with pytest.raises(ModelError, match="outcome"):
        node.start()
    assert node._server is None  # nothing listens
    node.index.close()
