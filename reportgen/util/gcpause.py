"""Cyclic garbage collection paused while a phase builds a great many objects.

A build (reading a year's returns above all) and the layout of a PDF each create hundreds of
thousands of objects that stay alive to the end of the phase. Python's cyclic collector walks all of them
again every few thousand allocations: a fifth of the time of reading 200,000 rows (with a cost
per row that grew with the number of rows), and an eighth of the PDF's (docs/performance.md).
Reference counting still frees everything as usual; what is left in cycles is collected when
the phase ends, at the next collection.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def collection_paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block; the collector is left as it was found."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
