"""The engine keeps numpy's BLAS on one thread (engine/cpu.py)."""

from threadpoolctl import threadpool_info

import engine  # noqa: F401


def test_numpy_blas_runs_on_one_thread() -> None:
    blas = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
    assert blas, "numpy's BLAS was not found"
    assert all(pool["num_threads"] == 1 for pool in blas), blas
