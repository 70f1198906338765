"""A pytest plugin that disables the network for a whole run: `pytest -p nosocket` (tests/ on PYTHONPATH).

Importing it replaces the socket constructors and name resolution with functions that refuse and
count the attempt, so even an attempt some library swallows shows up in the run's summary.
"""
from __future__ import annotations

import socket
from typing import Any

REFUSED: list[str] = []


class NetworkDisabled(OSError):
    """Raised instead of opening a socket or resolving a name."""


def _refuse(name: str) -> Any:
    def refused(*args: Any, **kwargs: Any) -> Any:
        REFUSED.append(name)
        raise NetworkDisabled(f"network access disabled by tests/nosocket.py ({name})")

    return refused


class _NoSocket(socket.socket):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        _refuse("socket.socket")()


socket.socket = _NoSocket  # type: ignore[misc]
socket.socketpair = _refuse("socket.socketpair")
socket.create_connection = _refuse("socket.create_connection")
socket.create_server = _refuse("socket.create_server")
socket.getaddrinfo = _refuse("socket.getaddrinfo")
socket.gethostbyname = _refuse("socket.gethostbyname")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    terminalreporter.write_line(f"nosocket: {len(REFUSED)} connection attempts refused" + (f" ({', '.join(REFUSED)})" if REFUSED else ""))
