"""Arterial tree on CTA: centerlines, TopCoW labels, contrast profiles, clot burden score.

Qt-free (numpy and SimpleITK). :func:`arterial_tree` is the entry point; see
:class:`~strokescope.vessels.result.ArterialTree` for the method and references.
"""

from strokescope.vessels.result import ArterialTree, ArterySegment, Profile
from strokescope.vessels.tree import arterial_tree

__all__ = ["ArterialTree", "ArterySegment", "Profile", "arterial_tree"]
