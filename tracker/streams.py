"""Reading a file a block at a time, with a limit on its size, without holding it in memory."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import IO

BLOCK = 1024 * 1024


def blocks_within(
    stream: IO[bytes], limit: int, too_large: Callable[[], Exception]
) -> Iterator[bytes]:
    """The bytes of `stream` in blocks; raises `too_large()` as soon as more than `limit`
    bytes have been read, so that an oversized file is never read to its end."""
    total = 0
    while block := stream.read(BLOCK):
        total += len(block)
        if total > limit:
            raise too_large()
        yield block
