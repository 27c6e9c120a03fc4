"""Arguments of ``strokescope phantom`` and the one-paragraph truth summary it prints.

Kept free of numpy/SimpleITK imports so building the CLI parser stays light.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from strokescope.phantom.options import PhantomOptions
    from strokescope.phantom.study import PhantomTruth


def add_phantom_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the phantom options to ``parser``."""
    add = parser.add_argument
    add("out", help="output folder (ncct/, cta/, followup/, truth/)")
    add("--seed", type=int, default=0, help="random seed (default 0)")
    add("--occlusion", default="M1", help="none, ICA, M1, M2, A1, P1 or basilar (default M1)")
    add("--side", default="left", help="left or right (default left)")
    add("--length-mm", type=float, help="thrombus length 3-40 mm (default: from the seed)")
    add("--thrombus-hu", type=float, help="clot HU on NCCT (default: 50-80 from the seed)")
    add("--perviousness", type=float, help="clot contrast uptake on CTA, 0-30 HU")
    add("--hemorrhage", help="follow-up bleed TYPE:ML, e.g. PH:25 or HI2:8")
    add("--calcification", action="store_true", help="ICA siphon wall plaques (mimic)")
    add("--sah", action="store_true", help="subarachnoid blood in the basal cisterns (mimic)")
    add("--slice-mm", type=float, default=0.5, help="slice thickness (default 0.5)")
    add("--inplane-mm", type=float, default=0.45, help="pixel size (default 0.45)")
    add("--matrix", type=int, default=512, help="matrix size (default 512)")
    add("--slices", type=int, help="slice count (default: cover 160 mm)")
    add("--noise", type=float, default=4.0, help="noise SD in HU (default 4)")
    add("--rotation", default="0,0,0", help="head rotation about x,y,z in degrees")
    add("--tilt", type=float, default=0.0, help="gantry tilt in degrees")
    add("--motion-mm", type=float, default=0.0, help="rigid motion between NCCT and CTA")
    add("--no-streaks", action="store_true", help="no beam-hardening streaks")
    add("--no-cta", action="store_true", help="NCCT only")


def _fail(message: str) -> None:
    from strokescope.errors import InputError

    raise InputError(message)


def options_from_args(args: argparse.Namespace) -> PhantomOptions:
    """Build :class:`PhantomOptions` from parsed arguments (bad syntax -> InputError)."""
    from strokescope.phantom.options import PhantomOptions

    hemorrhage, ml = "none", 0.0
    if args.hemorrhage:
        kind, _, amount = args.hemorrhage.partition(":")
        try:
            ml = float(amount)
        except ValueError:
            _fail(f"--hemorrhage {args.hemorrhage!r}: expected TYPE:ML such as PH:25")
        hemorrhage = kind
    try:
        rotation = tuple(float(v) for v in args.rotation.split(","))
    except ValueError:
        rotation = ()
    if len(rotation) != 3:
        _fail(f"--rotation {args.rotation!r}: expected three angles such as 2,1,0")
    kwargs: dict[str, Any] = {
        "seed": args.seed,
        "occlusion": args.occlusion,
        "side": args.side,
        "thrombus_length_mm": args.length_mm,
        "thrombus_hu": args.thrombus_hu,
        "perviousness_hu": args.perviousness,
        "calcification": args.calcification,
        "sah": args.sah,
        "hemorrhage": hemorrhage,
        "hemorrhage_ml": ml,
        "noise_hu": args.noise,
        "slice_mm": args.slice_mm,
        "inplane_mm": args.inplane_mm,
        "matrix": args.matrix,
        "slices": args.slices,
        "rotation_deg": rotation,
        "tilt_deg": args.tilt,
        "motion_mm": args.motion_mm,
        "streaks": not args.no_streaks,
        "cta": not args.no_cta,
    }
    return PhantomOptions(**kwargs)


def summary(truth: PhantomTruth) -> str:
    """One paragraph describing the ground truth."""
    parts = [f"Synthetic phantom, seed {truth.seed}."]
    where = truth.occlusion_site
    if where != "basilar":
        where = f"{truth.side} {where}"
    if truth.occlusion_site == "none":
        parts.append("No occlusion.")
    else:
        parts.append(
            f"{truth.occlusion_class} occlusion: {where}, thrombus "
            f"{truth.thrombus_length_mm:.1f} mm long, {truth.thrombus_volume_mm3:.0f} mm^3, "
            f"{truth.thrombus_hu_ncct:.0f} HU on NCCT and {truth.thrombus_hu_cta:.0f} HU on CTA "
            f"(perviousness {truth.perviousness_hu:.0f} HU), distal enhancement "
            f"{100 * (truth.distal_enhancement_fraction or 0):.0f} % of normal."
        )
    parts.append(
        f"Calcification {'present' if truth.calcification_present else 'absent'}; "
        f"SAH {'present' if truth.sah_present else 'absent'}."
    )
    if truth.hemorrhage_type != "none":
        parts.append(
            f"Follow-up {truth.hemorrhage_type} hemorrhage {truth.hemorrhage_volume_ml:.2f} mL "
            f"(target {truth.hemorrhage_target_ml:g} mL)."
        )
    parts.append(truth.research_use)
    return " ".join(parts)
