"""Frozen entry point of the bundled ``strokescope`` command (see strokescope.spec).

``strokescope --bundle-probe [FILE ...]`` (bundle only) prints what the bundle holds: see
installer/bundle_probe.py. On Linux ``strokescope-gui`` may be a link to this executable:
called by that name it starts the viewer.
"""

import multiprocessing
import sys
from pathlib import Path

if __name__ == "__main__":
    multiprocessing.freeze_support()  # the phantom writer's worker processes (Windows, macOS)
    if Path(sys.argv[0]).name.startswith("strokescope-gui"):
        from strokescope.gui.app import main as gui_main

        sys.exit(gui_main())
    if sys.argv[1:2] == ["--bundle-probe"]:
        from bundle_probe import main as probe_main

        sys.exit(probe_main(sys.argv[2:]))
    from strokescope.cli import main

    sys.exit(main())
