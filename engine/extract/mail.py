"""Saved e-mail messages (.eml, RFC 5322 with MIME): the header a reader sees, then the body.

The standard library's ``email`` package parses the message (transfer encodings, charsets,
encoded words in headers); the body is the plain-text part, or the HTML part read as a page when
there is none. Attachments are left out; the note says how many. Lines are those of the message
as read (its header lines, a blank line, the body), not of the raw file, whose body may be
quoted-printable or base64.
"""

from __future__ import annotations

import re
from dataclasses import replace
from email import policy
from email.message import EmailMessage, MIMEPart
from email.parser import BytesParser

from engine.errors import IngestError
from engine.extract.base import BlockSource, Limits, Streamed
from engine.extract.html import stream_html
from engine.extract.text import decode, stream_plain

SHOWN_HEADERS = ("From", "To", "Cc", "Date", "Subject")


def stream_mail(data: bytes, limits: Limits) -> Streamed:
    """The message's header and body as plain text, read as the text extractor reads a note;
    its title is the subject."""
    message = BytesParser(policy=policy.default).parsebytes(data)
    assert isinstance(message, EmailMessage)
    header = [f"{name}: {' '.join(str(message[name]).split())}" for name in SHOWN_HEADERS if message[name]]
    if not header:
        raise IngestError("it is not an e-mail message (it has no From, To, Date or Subject header)")
    text = "\n".join(header) + "\n\n" + _body(message, limits)
    attached = sum(1 for _ in message.iter_attachments())
    plain = stream_plain(text.encode("utf-8"), limits, asciidoc=False)
    subject = " ".join(str(message["Subject"] or "").split()) or None
    root = mail_heading(_sender(message), subject or "")

    def source() -> BlockSource:
        for block in plain:  # every passage, not only the first, says who wrote it and about what
            yield replace(block, heading_path=(root, *block.heading_path)) if root else block
        return subject or plain.title

    note = "; ".join(filter(None, [plain.partial, f"{attached} attachment(s) not read" if attached else ""]))
    return Streamed("email", source, note or None)


def mail_heading(sender: str, subject: str) -> str:
    """The root of an e-mail's every heading path: "From Carys Evans: Your tax for January" (read
    back by ``sent_by``)."""
    return f"From {sender}: {subject}".rstrip(": ") if sender else subject


def sent_by(heading: str) -> str:
    """The sender's name an e-mail passage's heading says (``mail_heading``), or ""."""
    m = _FROM_HEADING.match(heading)
    return m[1] if m else ""


def without_sender(heading: str) -> str:
    """``heading`` without the sender ``mail_heading`` put before the subject: the name is for the
    keyword index and the answerer, and embedded it would draw every passage of the message
    towards any question naming its sender."""
    m = _FROM_HEADING.match(heading)
    return heading[m.end():] if m and m.end() < len(heading) else heading


_FROM_HEADING = re.compile(r"^From ([^:>\n]+?)(?:: (?=\S)|$)")


def _sender(message: EmailMessage) -> str:
    """Who sent the message: the From header's display name, else its address."""
    sender = message["From"]
    if sender is None:
        return ""
    addresses = getattr(sender, "addresses", ())
    if addresses:
        return " ".join((addresses[0].display_name or addresses[0].addr_spec).split())
    return " ".join(str(sender).split())


def _body(message: EmailMessage, limits: Limits) -> str:
    """The plain-text body, or the HTML body's text (its blocks, a blank line apart)."""
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    raw = part.get_payload(decode=True)
    content = decode(raw if isinstance(raw, bytes) else b"", _charset(part))
    if part.get_content_subtype() != "html":
        return content
    return "\n\n".join(b.text for b in stream_html(content.encode("utf-8"), limits))


def _charset(part: MIMEPart) -> str | None:
    """The charset the part declares, unless it is US-ASCII (the default when none is declared,
    and often wrong: a client that writes "€" as UTF-8 without saying so)."""
    charset = part.get_content_charset()
    return None if charset in (None, "us-ascii", "ascii") else charset
