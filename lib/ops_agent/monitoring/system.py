"""This host's system metrics (psutil, imported on first use: it is not needed elsewhere)."""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime
from typing import Any

_primed = False


def _prime(psutil: Any) -> None:
    """The first non-blocking CPU reading has nothing to compare with: take one to start."""
    global _primed
    if not _primed:
        psutil.cpu_percent(interval=None)
        _primed = True


def system_metrics() -> dict[str, Any]:
    """CPU, memory, swap, disk, load, network and processes, without waiting: the CPU figure
    covers the time since the previous reading in this process (since the first call, for
    the first one), so a request never sleeps to sample it."""
    import psutil

    _prime(psutil)

    memory = psutil.virtual_memory()
    swap = psutil.swap_memory()
    disk = psutil.disk_usage("/")
    network = psutil.net_io_counters()
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    return {
        "host": socket.gethostname(),
        "at": datetime.now(UTC).isoformat(),
        "cpu_percent": psutil.cpu_percent(interval=None),
        "cpu_count": psutil.cpu_count(),
        "load_1m": load[0],
        "load_5m": load[1],
        "load_15m": load[2],
        "memory_percent": memory.percent,
        "memory_used_bytes": memory.used,
        "memory_total_bytes": memory.total,
        "swap_percent": swap.percent,
        "disk_percent": disk.percent,
        "disk_used_bytes": disk.used,
        "disk_total_bytes": disk.total,
        "network_sent_bytes": network.bytes_sent if network else 0,
        "network_received_bytes": network.bytes_recv if network else 0,
        "processes": len(psutil.pids()),
    }
