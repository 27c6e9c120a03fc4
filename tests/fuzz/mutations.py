"""Named, seeded mutations of a phantom DICOM series folder (the fuzzer's cases).

Each :class:`Mutation` takes a copied series folder (the phantom's ``followup/`` for ``info``
and ``ht``, its ``cta/`` for ``thrombus``; a sibling series folder lies next to it) and a
numpy ``Generator``, and damages the files on disk. It declares the correct outcome:

``same``
    the result must match the unmutated baseline within tolerance (warnings are allowed);
``warn_or_error``
    a warning or a one-line error is acceptable, a silently different result is not;
``error``
    the command must refuse in one line (a result equal to the baseline is tolerated).

Groups: header, charset, pixel, geometry, folder. ``MUTATIONS`` maps names to mutations;
the registrations are one call per line (``fmt: off``) so the list reads as a table, one
module per group (``mutations_header`` with the charsets, ``mutations_pixel``,
``mutations_geometry``, ``mutations_folder``) built from :mod:`tests.fuzz.mutation_kit`.
"""

from __future__ import annotations

from tests.fuzz import mutations_folder, mutations_geometry, mutations_pixel  # noqa: F401
from tests.fuzz.mutation_kit import GROUPS, MUTATIONS, Expect, Mutation
from tests.fuzz.mutations_header import TYPE2, TYPE3

# The fuzz report lists the cases group by group (GROUPS order), each group in the order
# its module registers them, whatever order the modules were imported in.
_ordered = sorted(MUTATIONS.values(), key=lambda m: GROUPS.index(m.group))
MUTATIONS.clear()
MUTATIONS.update((m.name, m) for m in _ordered)

__all__ = ["GROUPS", "MUTATIONS", "TYPE2", "TYPE3", "Expect", "Mutation"]
