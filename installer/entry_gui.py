"""Frozen entry point of the bundled ``strokescope-gui`` viewer (see strokescope.spec)."""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from strokescope.gui.app import main

    sys.exit(main())
