"""Fixtures for the training tests (torch tests skip when the train extra is absent)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def synthetic_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four cases (three with a clot) in nnU-Net raw layout."""
    from thrombus_cases import make_case
    from training.dataset import write_case, write_dataset_json

    root = tmp_path_factory.mktemp("raw")
    for i in range(4):
        write_case(make_case(f"SYN_{i:03d}", seed=i, thrombus=i != 3), root)
    write_dataset_json(root, description="synthetic test cases")
    return root


@pytest.fixture(autouse=True, scope="session")
def _one_torch_thread() -> None:
    """One intra-op thread: the tests' tensors are tiny and the CI machine is shared."""
    import torch

    torch.set_num_threads(1)
