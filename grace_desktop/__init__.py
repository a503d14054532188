"""Grace Desktop's application shell: the CLI, the GUI bootstrap and the background runners."""

import time as _time

# Taken first thing, so ``grace gui --exit-after-ready`` can say how long startup took.
STARTED = _time.perf_counter()


def _process_age() -> float:
    """Seconds this process had been running when the package was imported (0 if unknown)."""
    try:
        import os

        with open("/proc/self/stat", "rb") as f:
            start_ticks = int(f.read().rsplit(b")", 1)[1].split()[19])
        with open("/proc/uptime", "rb") as f:
            uptime = float(f.read().split()[0])
        return max(0.0, uptime - start_ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError, AttributeError):
        return 0.0


# Interpreter start-up before this import counts too (Linux tells it; elsewhere it is 0).
AGE_AT_IMPORT = _process_age()


def ms_since_start() -> int:
    """Milliseconds since the process started (as near as the platform lets us tell)."""
    return round((_time.perf_counter() - STARTED + AGE_AT_IMPORT) * 1000)


__version__ = "0.1.0"
