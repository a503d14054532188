"""Numpy's matrix products run on one thread.

Every product the engine asks of numpy is small (a question's ~25 token vectors against
30 passages' ~5,000 in late interaction, a few hundred vectors against one elsewhere); the
heavy work, the model, runs in onnxruntime's own thread pool. OpenBLAS, numpy's BLAS,
would otherwise start a thread per core and busy-wait between products, and on a 2-core
machine that is busy with anything else (an ingest, the window, another program) those
threads queue behind it: with a second process busy, late interaction's product over 30
passages took 9.5 ms at the median on two threads against 2.0 ms on one, and a whole search
at 100k passages 35-39 ms against 18-19 ms (docs/PERFORMANCE.md, "One BLAS thread").

threadpoolctl (scikit-learn's project) finds the BLAS that numpy actually loaded, whichever
it is, and sets its thread count at run time; an environment variable would have to be set
before numpy is first imported, which a library cannot promise.
"""

from __future__ import annotations

import numpy  # noqa: F401  (loaded first, so its BLAS is there to be limited)
from threadpoolctl import threadpool_limits


def one_blas_thread() -> None:
    """Limit every BLAS numpy has loaded to one thread, for the rest of the process."""
    threadpool_limits(limits=1, user_api="blas")
