"""A minimal OpenAI-compatible ``/chat/completions`` client on the standard library.

Streaming reads Server-Sent Events (``data:`` lines, ``[DONE]`` at the end); tool calls
are gathered from their deltas. A whole exchange must finish within ``timeout`` seconds.
The API key goes only into the Authorization header; it is never in a message or log.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ..errors import GraceError

_LOOPBACK = ("127.", "localhost", "::1", "[::1]")


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
    except ValueError as exc:
        return problem + str(exc)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return problem + "it needs http:// or https:// and a host, like http://127.0.0.1:8080/v1"
    if any(c.isspace() or not c.isprintable() for c in url):
        return problem + "it contains spaces or control characters"
    return None


class OpenAIClient:
    def __init__(self, base_url: str, model: str, api_key: str | None, timeout: float) -> None:
        self.base_url = base_url.strip()
        self.url = self.base_url.rstrip("/") + "/chat/completions"
        self.model, self.timeout = model, float(timeout)
        self._key = api_key
        try:
            host = urlsplit(self.url).hostname or ""
        except ValueError:  # not a URL: ``complete`` says so
            host = ""
        # Loopback endpoints never go through a proxy from the environment.
        handlers = [urllib.request.ProxyHandler({})] if host.startswith(_LOOPBACK) else []
        self._opener = urllib.request.build_opener(*handlers)

    def complete(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None = None,
                 on_token: Callable[[str], None] | None = None) -> Completion:
        """One chat completion; streamed into ``on_token`` when it is given. Any failure, a base
        URL that is not a URL included, is an ``EndpointError`` saying why."""
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
            request = urllib.request.Request(self.url, json.dumps(body).encode("utf-8"), headers, method="POST")
        except ValueError as exc:  # e.g. "unknown url type"
            raise EndpointError(f"the endpoint address {self.base_url!r} is not a URL: {exc}") from None
        deadline = time.monotonic() + self.timeout
        try:
            with self._opener.open(request, timeout=self.timeout) as resp:
                if on_token is not None and "event-stream" in resp.headers.get("Content-Type", ""):
                    return _read_stream(resp, on_token, deadline, self.timeout)
                completion = _parse(json.loads(resp.read().decode("utf-8")))
                if on_token is not None and completion.text:
                    on_token(completion.text)
                return completion
        except urllib.error.HTTPError as exc:
            raise EndpointError(f"the endpoint answered HTTP {exc.code} ({_reason(exc)})") from None
        except TimeoutError:
            raise EndpointError(f"the endpoint did not answer within {self.timeout:g} s") from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise EndpointError(f"the endpoint did not answer within {self.timeout:g} s") from None
            raise EndpointError(f"the endpoint at {self.url} could not be reached ({exc.reason})") from None
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise EndpointError(f"the endpoint's reply could not be read ({type(exc).__name__})") from None
        except OSError as exc:
            raise EndpointError(f"the connection to the endpoint failed ({exc.strerror or exc})") from None


def _reason(exc: urllib.error.HTTPError) -> str:
    try:
        detail = json.loads(exc.read().decode("utf-8", "replace"))
        message = detail.get("error", {}).get("message") if isinstance(detail, dict) else None
    except Exception:  # noqa: BLE001
        message = None
    return str(message or exc.reason)[:200]


def _parse(reply: dict[str, Any]) -> Completion:
    message = reply["choices"][0]["message"]
    calls = [{"name": str(c["function"]["name"]), "arguments": _arguments(c["function"].get("arguments"))}
             for c in message.get("tool_calls") or []]
    return Completion(_text(message.get("content")), calls)


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


def _read_stream(resp: Any, on_token: Callable[[str], None], deadline: float, timeout: float) -> Completion:
    parts: list[str] = []
    calls: dict[int, dict[str, str]] = {}
    for raw in resp:
        if time.monotonic() > deadline:
            raise TimeoutError
        line = raw.decode("utf-8").strip()
        if not line.startswith("data:"):
            continue
        data = line[5:].strip()
        if data == "[DONE]":
            break
        choices = json.loads(data).get("choices") or [{}]
        delta = choices[0].get("delta") or {}
        piece = _text(delta.get("content"))
        if piece:
            parts.append(piece)
            on_token(piece)
        for call in delta.get("tool_calls") or []:
            slot = calls.setdefault(int(call.get("index", len(calls))), {"name": "", "arguments": ""})
            fn = call.get("function") or {}
            slot["name"] += str(fn.get("name") or "")
            slot["arguments"] += _arguments(fn.get("arguments")) if fn.get("arguments") else ""
    return Completion("".join(parts), [calls[i] for i in sorted(calls)])
