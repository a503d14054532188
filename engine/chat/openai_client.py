"""A minimal OpenAI-compatible ``/chat/completions`` client on the standard library.

Streaming reads Server-Sent Events (``data:`` lines, ``[DONE]`` at the end); tool calls
are gathered from their deltas. A whole exchange must finish within ``timeout`` seconds, one
deadline for all of it: the name lookup and the connection, sending the request, and every
read of the headers and the body wait only for the time that is left. The caller's
``is_cancelled`` is asked at least every ``WAKE_S`` seconds while the client waits (for the
name, the connection or the next bytes) and stops the exchange with ``Cancelled``. The API key goes only
into the Authorization header, and only to the endpoint's own address (a redirect is
refused); it is never in a message or log: any text of an ``EndpointError`` that repeats
it shows ``***`` instead.
"""

from __future__ import annotations

import errno
import functools
import http.client
import io
import json
import os
import selectors
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, NoReturn
from urllib.parse import urlsplit

from ..errors import Cancelled, GraceError

_LOOPBACK = ("127.", "localhost", "::1", "[::1]")
_PIECE = 64 * 1024  # bytes read at a time (one system call at most)
_UNREADABLE = "the endpoint's reply could not be read"
_LONGEST = 400  # characters of an EndpointError's sentence
WAKE_S = 0.2  # the longest a wait for the endpoint goes without asking whether the caller cancelled
_CONNECTING = {errno.EINPROGRESS, errno.EWOULDBLOCK, errno.EALREADY, getattr(errno, "WSAEWOULDBLOCK", errno.EAGAIN)}


class EndpointError(GraceError):
    """The chat endpoint could not give an answer; the message says why in a sentence."""


@dataclass
class Completion:
    text: str
    tool_calls: list[dict[str, str]] = field(default_factory=list)  # {"name", "arguments"} (JSON text, "{}" if none)


def check_base_url(base_url: str) -> str | None:
    """Why ``base_url`` cannot be a chat endpoint's address, as a sentence; None when it can be
    (``http(s)://host[:port][/path]``) or is empty (no endpoint: answers are given offline)."""
    url = base_url.strip()
    if not url:
        return None
    problem = f"the endpoint address {url!r} is not a URL: "
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as exc:  # urllib's words ("Port out of range 0-65535") as a sentence's end
        said = str(exc)
        return problem + ("its port must be a number from 0 to 65535" if "port" in said.lower() else said[:1].lower()
                          + said[1:])
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return problem + "it needs http:// or https:// and a host, like http://127.0.0.1:8080/v1"
    if any(c.isspace() or not c.isprintable() for c in url):
        return problem + "it contains spaces or control characters"
    return None


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Refuses every redirect: an API endpoint has no business redirecting a POST, and
    following one would send the Authorization header (the API key) to another address."""

    def redirect_request(self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any,
                         newurl: str) -> urllib.request.Request | None:
        try:
            host = urlsplit(newurl).hostname or newurl
        except ValueError:
            host = newurl
        fp.close()
        raise EndpointError(f"the endpoint redirected the request (HTTP {code}) to {host}; Grace does not follow "
                            "redirects, so the API key was not sent there. Set the address it redirects to as "
                            "the endpoint if you trust it")


class _Deadline:
    """The one deadline of an exchange: ``left`` is the time that remains (TimeoutError once none
    does; ``Cancelled`` once the caller cancelled), ``wake`` the longest one wait may take."""

    def __init__(self, seconds: float, is_cancelled: Callable[[], bool] | None = None) -> None:
        self.end = time.monotonic() + seconds
        self.is_cancelled = is_cancelled

    def left(self) -> float:
        if self.is_cancelled is not None and self.is_cancelled():
            raise Cancelled("The answer was stopped.")
        left = self.end - time.monotonic()
        if left <= 0:
            raise TimeoutError
        return left

    def wake(self) -> float:
        return min(self.left(), WAKE_S)


class _Request(urllib.request.Request):
    deadline: _Deadline


def _resolve(host: str, port: int, deadline: _Deadline) -> list[Any]:
    """``getaddrinfo`` given up on when the deadline passes (a lookup cannot be stopped: a slow
    one ends in the background, in a thread of its own)."""
    found: list[Any] = []

    def lookup() -> None:
        try:
            found.append(socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM))
        except Exception as exc:  # noqa: BLE001 - raised again below, in the caller's thread
            found.append(exc)

    worker = threading.Thread(target=lookup, name="grace-endpoint-lookup", daemon=True)
    worker.start()
    while not found:
        worker.join(deadline.wake())
    if isinstance(found[0], Exception):
        raise found[0]
    return list(found[0])


def _connect(deadline: _Deadline, address: tuple[str, int], *_args: Any, **_kwargs: Any) -> socket.socket:
    """``socket.create_connection`` within the deadline: each address is tried in the time
    that is left (not the whole timeout again for each), and the socket is left with it."""
    host, port = address
    error: OSError = OSError(f"no address was found for {host}")
    for family, kind, proto, _, addr in _resolve(host, port, deadline):
        sock = socket.socket(family, kind, proto)
        try:
            _connect_socket(sock, addr, deadline)
            sock.settimeout(deadline.left())  # what a TLS handshake that follows may take
            return sock
        except (TimeoutError, Cancelled):
            sock.close()
            raise
        except OSError as exc:
            sock.close()
            error = exc
    raise error


def _connect_socket(sock: socket.socket, addr: Any, deadline: _Deadline) -> None:
    """Connect ``sock`` without blocking, looking every ``WAKE_S`` at the deadline (and so at
    the caller's cancel); an ``OSError`` (ConnectionRefusedError, …) when the connection fails."""
    sock.setblocking(False)
    code = sock.connect_ex(addr)
    with selectors.DefaultSelector() as waiting:
        waiting.register(sock, selectors.EVENT_WRITE)  # writable: connected, or failed
        while code in _CONNECTING:
            if waiting.select(deadline.wake()):
                code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    if code:
        raise OSError(code, os.strerror(code))


class _BoundReader(io.RawIOBase):
    """The socket's bytes, each read waiting only for the time the deadline leaves, in waits of
    ``WAKE_S`` at most (a cancel is seen between two)."""

    def __init__(self, sock: socket.socket, deadline: _Deadline) -> None:
        super().__init__()
        self._sock, self._deadline = sock, deadline
        self._raw = sock.makefile("rb", buffering=0)  # keeps the socket open until this is closed

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int | None:
        while True:
            self._sock.settimeout(self._deadline.wake())  # raises once the time is up or it was cancelled
            try:
                return self._sock.recv_into(buffer)  # (the socket file gives up after one timeout)
            except TimeoutError:
                continue

    def close(self) -> None:
        self._raw.close()
        super().close()


class _BoundSocket:
    """A connected socket as ``http.client`` uses it (``sendall``, ``makefile("rb")``), every
    send and read bounded by the deadline."""

    def __init__(self, sock: socket.socket, deadline: _Deadline) -> None:
        self._sock, self._deadline = sock, deadline

    def sendall(self, data: Any) -> None:
        self._sock.settimeout(self._deadline.left())
        self._sock.sendall(data)

    def makefile(self, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if mode != "rb":
            return self._sock.makefile(mode, *args, **kwargs)  # type: ignore[call-overload]
        return io.BufferedReader(_BoundReader(self._sock, self._deadline))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


class _BoundHTTP(http.client.HTTPConnection):
    """An HTTP connection whose whole exchange, connecting included, keeps to one deadline."""

    def __init__(self, *args: Any, deadline: _Deadline, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline = deadline
        self._create_connection = functools.partial(_connect, deadline)

    def connect(self) -> None:
        super().connect()
        self.sock = _BoundSocket(self.sock, self._deadline)


class _BoundHTTPS(_BoundHTTP, http.client.HTTPSConnection):
    """The same over TLS (the handshake has the time that is left once connected)."""


def _deadline_of(req: urllib.request.Request) -> _Deadline:
    return getattr(req, "deadline", None) or _Deadline(float(getattr(req, "timeout", None) or 60))


class _BoundHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(functools.partial(_BoundHTTP, deadline=_deadline_of(req)), req)


class _BoundHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(functools.partial(_BoundHTTPS, deadline=_deadline_of(req)), req,
                            context=getattr(self, "_context", None))


class OpenAIClient:
    """``is_cancelled``: asked while the client waits; once it says True, ``complete`` raises
    ``Cancelled`` (within ``WAKE_S`` or so), not an ``EndpointError``."""

    def __init__(self, base_url: str, model: str, api_key: str | None, timeout: float,
                 is_cancelled: Callable[[], bool] | None = None) -> None:
        self.base_url = base_url.strip()
        self.url = self.base_url.rstrip("/") + "/chat/completions"
        self.model, self.timeout = model, float(timeout)
        self._key = api_key
        self._is_cancelled = is_cancelled
        try:
            host = urlsplit(self.url).hostname or ""
        except ValueError:  # not a URL: ``complete`` says so
            host = ""
        # Loopback endpoints never go through a proxy from the environment; no endpoint is
        # followed to another address.
        handlers: list[urllib.request.BaseHandler] = [_NoRedirects(), _BoundHTTPHandler(), _BoundHTTPSHandler()]
        if host.startswith(_LOOPBACK):
            handlers.append(urllib.request.ProxyHandler({}))
        self._opener = urllib.request.build_opener(*handlers)

    def complete(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None = None,
                 on_token: Callable[[str], None] | None = None) -> Completion:
        """One chat completion; streamed into ``on_token`` when it is given. Any failure, a base
        URL that is not a URL included, is an ``EndpointError`` saying why (with the API key,
        should the endpoint have repeated it, shown as ``***``)."""
        try:
            return self._exchange(messages, tools, on_token)
        except EndpointError as exc:
            raise EndpointError(self.redact(str(exc))) from None

    def redact(self, text: str) -> str:
        """``text`` with the API key, and any piece of it 8 characters long or more (an echo the
        endpoint cut short), replaced by ``***``; then shortened to a readable length."""
        key = self._key or ""
        if len(key) >= 4:
            text = text.replace(key, "***")
        if len(key) >= 8:
            out, i = [], 0
            while i < len(text):
                n = 0
                while i + n < len(text) and text[i:i + n + 1] in key:
                    n += 1
                out.append("***" if n >= 8 else text[i])
                i += n if n >= 8 else 1
            text = "".join(out)
        return text if len(text) <= _LONGEST else text[:_LONGEST - 1] + "…"

    def _unreachable(self, reason: Any) -> str:
        """Why the endpoint could not be reached, in words, with the system's own reason in brackets."""
        where = f"the endpoint at {self.base_url} could not be reached"
        if isinstance(reason, ConnectionRefusedError):
            return f"{where} because nothing is listening there (connection refused)"
        if isinstance(reason, socket.gaierror):
            host = urlsplit(self.url).hostname or self.base_url
            return f"{where} because no computer called {host} was found ({reason.strerror or reason})"
        said = reason.strerror if isinstance(reason, OSError) and reason.strerror else str(reason)
        return f"{where} ({said[:1].lower() + said[1:]})"

    def _exchange(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None,
                  on_token: Callable[[str], None] | None) -> Completion:
        problem = check_base_url(self.base_url) if self.base_url else "no endpoint address is set"
        if problem:
            raise EndpointError(problem)
        body: dict[str, Any] = {"model": self.model, "messages": messages, "temperature": 0,
                                "stream": on_token is not None}
        if tools:
            body["tools"] = tools
        headers = {"Content-Type": "application/json",
                   "Accept": "text/event-stream" if on_token else "application/json"}
        if self._key:
            headers["Authorization"] = f"Bearer {self._key}"
        try:
            request = _Request(self.url, json.dumps(body).encode("utf-8"), headers, method="POST")
        except ValueError as exc:  # e.g. "unknown url type"
            raise EndpointError(f"the endpoint address {self.base_url!r} is not a URL: {exc}") from None
        request.deadline = deadline = _Deadline(self.timeout, self._is_cancelled)
        try:
            with self._opener.open(request, timeout=self.timeout) as resp:
                if on_token is not None and "event-stream" in resp.headers.get("Content-Type", ""):
                    return _read_stream(_pieces(resp, deadline), on_token)
                completion = _parse(json.loads(b"".join(_pieces(resp, deadline)).decode("utf-8")))
                if on_token is not None and completion.text:
                    on_token(completion.text)
                return completion
        except urllib.error.HTTPError as exc:
            reason = self.redact(_reason(exc)[:1000])[:200]  # redacted before it is shortened
            raise EndpointError(f"the endpoint answered HTTP {exc.code} ({reason})") from None
        except TimeoutError:
            raise EndpointError(f"the endpoint did not answer within {self.timeout:g} s") from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise EndpointError(f"the endpoint did not answer within {self.timeout:g} s") from None
            raise EndpointError(self._unreachable(exc.reason)) from None
        except (ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
            raise EndpointError(f"{_UNREADABLE} ({type(exc).__name__})") from None
        except http.client.HTTPException as exc:  # e.g. IncompleteRead: the reply was cut off
            raise EndpointError(f"{_UNREADABLE} ({type(exc).__name__}: it was cut off or malformed)") from None
        except OSError as exc:
            raise EndpointError(f"the connection to the endpoint failed ({exc.strerror or exc})") from None


def _pieces(resp: Any, deadline: _Deadline) -> Iterator[bytes]:
    """The reply's body as it arrives, a piece (one system call) at a time; ``TimeoutError``
    once ``deadline`` has passed, however steadily the endpoint trickles bytes (each read
    waits only for the time that is left, see ``_BoundReader``)."""
    read = getattr(resp, "read1", None) or resp.read
    while piece := read(_PIECE):
        deadline.left()
        yield piece


def _reason(exc: urllib.error.HTTPError) -> str:
    """The error message of an HTTP error reply (untruncated: it is redacted, then shortened)."""
    try:
        detail = json.loads(exc.read().decode("utf-8", "replace"))
        error = detail.get("error") if isinstance(detail, dict) else None
        message = error.get("message") if isinstance(error, dict) else error
    except Exception:  # noqa: BLE001
        message = None
    return str(message or exc.reason)


def _unreadable(why: str) -> NoReturn:
    raise EndpointError(f"{_UNREADABLE}: {why}")


def _object(value: Any, what: str) -> dict[str, Any]:
    """``value`` when it is a JSON object; else an EndpointError saying what is not."""
    if not isinstance(value, dict):
        _unreadable(f"{what} is {_kind(value)}, not an object")
    return value


def _items(value: Any, what: str) -> list[Any]:
    """``value`` when it is a JSON array (None: empty); else an EndpointError saying what is not."""
    if value is None:
        return []
    if not isinstance(value, list):
        _unreadable(f"{what} is {_kind(value)}, not a list")
    return value


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "text", bool: "true or false", int: "a number",
            float: "a number", type(None): "null"}.get(type(value), type(value).__name__)


def _failed(reply: dict[str, Any]) -> None:
    """An ``error`` the endpoint put in a reply it sent with HTTP 200, as an EndpointError."""
    error = reply.get("error")
    if error:
        message = error.get("message") if isinstance(error, dict) else error
        raise EndpointError(f"the endpoint reported an error: {str(message or error)[:1000]}")


def _parse(reply: Any) -> Completion:
    reply = _object(reply, "the reply")
    _failed(reply)
    choices = _items(reply.get("choices"), "its choices")
    if not choices:
        _unreadable("it has no choices")
    message = _object(_object(choices[0], "its first choice").get("message"), "its message")
    calls = [_call(_object(c, "a tool call").get("function"), "a tool call's function")
             for c in _items(message.get("tool_calls"), "its tool calls")]
    completion = Completion(_text(message.get("content")), calls)
    _check_not_empty(completion)
    return completion


def _call(function: Any, what: str) -> dict[str, str]:
    fn = _object(function, what)
    name = fn.get("name")
    if not isinstance(name, str) or not name:
        _unreadable("a tool call has no name")
    return {"name": name, "arguments": _arguments(fn.get("arguments"))}


def _check_not_empty(completion: Completion) -> None:
    if not completion.text.strip() and not completion.tool_calls:
        raise EndpointError("the endpoint sent an empty reply")


def _text(content: Any) -> str:
    """A message's content: text, or a list of parts whose text parts are joined; else ValueError."""
    if content is None or isinstance(content, str):
        return content or ""
    if isinstance(content, list):
        parts = [p if isinstance(p, str) else p.get("text") for p in content if isinstance(p, str | dict)]
        if len(parts) == len(content) and all(isinstance(p, str | None) for p in parts):
            return "".join(p for p in parts if p)
    raise ValueError("the message content is neither text nor a list of text parts")


def _arguments(arguments: Any) -> str:
    """A tool call's arguments as JSON text (some endpoints send a JSON object); else ValueError."""
    if arguments is None or isinstance(arguments, str):
        return arguments or "{}"
    if isinstance(arguments, dict):
        return json.dumps(arguments)
    raise ValueError("a tool call's arguments are neither JSON text nor an object")


def _lines(pieces: Iterator[bytes]) -> Iterator[str]:
    """The lines of a byte stream (a last line without its newline included)."""
    pending = b""
    for piece in pieces:
        pending += piece
        *complete, pending = pending.split(b"\n")
        for line in complete:
            yield line.decode("utf-8").strip()
    if pending:
        yield pending.decode("utf-8").strip()


def _read_stream(pieces: Iterator[bytes], on_token: Callable[[str], None]) -> Completion:
    parts: list[str] = []
    calls: dict[int, dict[str, str]] = {}
    event = ""
    for line in _lines(pieces):
        if not line:
            event = ""  # a blank line ends an event
            continue
        if line.startswith("event:"):
            event = line[6:].strip()
            continue
        if not line.startswith("data:"):
            continue
        data = line[5:].strip()
        if data == "[DONE]":
            break
        try:
            chunk = json.loads(data)
        except ValueError:
            if event == "error":
                raise EndpointError(f"the endpoint reported an error: {data[:1000]}") from None
            raise
        if event == "error" and not (isinstance(chunk, dict) and chunk.get("error")):
            raise EndpointError(f"the endpoint reported an error: {data[:1000]}")
        chunk = _object(chunk, "a streamed event")
        _failed(chunk)
        choices = _items(chunk.get("choices"), "a streamed event's choices") or [{}]
        delta = _object(_object(choices[0], "a streamed choice").get("delta") or {}, "a streamed delta")
        piece = _text(delta.get("content"))
        if piece:
            parts.append(piece)
            on_token(piece)
        for call in _items(delta.get("tool_calls"), "a streamed delta's tool calls"):
            call = _object(call, "a streamed tool call")
            index = call.get("index", len(calls))
            if not isinstance(index, int) or isinstance(index, bool):
                _unreadable("a streamed tool call's index is not a number")
            slot = calls.setdefault(index, {"name": "", "arguments": ""})
            fn = _object(call.get("function") or {}, "a streamed tool call's function")
            name = fn.get("name")
            if name is not None and not isinstance(name, str):
                _unreadable("a streamed tool call's name is not text")
            slot["name"] += name or ""
            slot["arguments"] += _arguments(fn.get("arguments")) if fn.get("arguments") else ""
    completion = Completion("".join(parts), [calls[i] for i in sorted(calls)])
    for call in completion.tool_calls:
        if not call["name"]:
            _unreadable("a tool call has no name")
        call["arguments"] = call["arguments"] or "{}"
    _check_not_empty(completion)
    return completion
