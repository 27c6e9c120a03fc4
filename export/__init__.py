"""Thrombus network training and ONNX export (PyTorch lives only in this package).

Install the ``train`` extra (``pip install -e '.[train]'``), then from the repository root::

    python -m export.make_phantoms --out cache/phantoms_raw --n 40 --seed 0
    python -m export.train --out models_onnx --seed 0 [--data nnunet_raw_dir] [--minutes 80]

Modules: :mod:`export.network` (U-Net blocks), :mod:`export.losses` (Dice + BCE, deep
supervision), :mod:`export.config` (grids, normalisation, decision rules),
:mod:`export.dataset` (nnU-Net raw layout), :mod:`export.make_phantoms`,
:mod:`export.prepare` (model grids, cache), :mod:`export.sampling` (patches, augmentation),
:mod:`export.training_loop`, :mod:`export.validate`, :mod:`export.onnx_export` (export,
checker, parity), :mod:`export.manifest` (manifest.json, MODEL_CARD.md), :mod:`export.train`
(CLI).
"""
