"""Family C of synthetic head-CT phantoms: paired NCCT + CTA and a thrombus label.

SynthSeg-style domain randomisation (Billot et al. 2023): the HU physics that carries the
signal (an opacified artery, a clot-dense non-opacified segment inside it, less contrast
past it) is kept, everything else (shape, tissue contrast, pose, mimics, acquisition) is
drawn far beyond realism. Written independently of the other phantom families; training only.

Run ``python -m training.family_c --out DIR --n N --seed S [--first I] [--tiny]``.
Modules: :mod:`.options` (every drawn parameter), :mod:`.fields` (grids, pose, smooth
fields, resampling), :mod:`.head` and :mod:`.tissue` (skull, skull base, brain, CSF),
:mod:`.skullbase`, :mod:`.arteries` (the tree), :mod:`.clot`, :mod:`.vessels` (painting the
tree), :mod:`.mimics`, :mod:`.render` (tubes and blobs), :mod:`.acquisition`, :mod:`.case`.
"""
