"""Chat: grounded answers with citations and confidence, offline by default; actions under
governance tiers; conversations. ``Workspace.chat`` is its face."""

from .assistant import Chat
from .openai_client import EndpointError
from .types import ABSTAIN_TEXT, Action, Answer, Citation, EmptyQuestion

__all__ = ["ABSTAIN_TEXT", "Action", "Answer", "Chat", "Citation", "EmptyQuestion", "EndpointError"]
