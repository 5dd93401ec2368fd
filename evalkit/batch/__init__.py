"""The batch runner behind ``evalkit run``: plan (:mod:`~evalkit.batch.plan`), cache
(:mod:`~evalkit.batch.cache`), the output folder's lock (:mod:`~evalkit.batch.lock`), local
execution (:mod:`~evalkit.batch.local`, running notebooks with :mod:`~evalkit.batch.execute`),
cluster execution (:mod:`~evalkit.batch.cluster`) and the files it writes
(:mod:`~evalkit.batch.outputs`), tied together by :func:`run_batch`.
"""
from evalkit.batch.run import EXIT_FAILED, EXIT_INVALID, EXIT_OK, BatchResult, run_batch

__all__ = ["run_batch", "BatchResult", "EXIT_OK", "EXIT_FAILED", "EXIT_INVALID"]
