"""Thrombus network training and ONNX export (PyTorch lives only in this package).

Install the ``train`` extra (``pip install -e '.[train]'``), then from the repository root::

    python -m training.make_phantoms --out cache/phantoms_raw --n 40 --seed 0
    python -m training.train --out models_onnx --seed 0 [--data nnunet_raw_dir] [--minutes 80]

Modules: :mod:`training.network` (U-Net blocks), :mod:`training.losses` (Dice + BCE, deep
supervision), :mod:`training.config` (grids, normalisation, decision rules),
:mod:`training.dataset` (nnU-Net raw layout), :mod:`training.make_phantoms`,
:mod:`training.prepare` (model grids, cache), :mod:`training.sampling` (patches, augmentation),
:mod:`training.training_loop`, :mod:`training.validate`, :mod:`training.onnx_export` (export,
checker, parity), :mod:`training.manifest` (manifest.json, MODEL_CARD.md), :mod:`training.train`
(CLI).
"""
