"""The frozen app's entry point: the same ``grace`` command line (``gui`` by default)."""

import multiprocessing
import sys

from grace_desktop.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # a frozen child process must not start another app
    sys.exit(main())
