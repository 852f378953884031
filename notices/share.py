"""Sharing to WhatsApp, where teachers talk: wa.me links (no API, no account) and
Markdown turned into WhatsApp's own formatting (*bold*, _italic_, lists)."""

import re
from urllib.parse import quote

WHATSAPP_SHARE = "https://wa.me/?text="


def whatsapp_link(text):
    return WHATSAPP_SHARE + quote(text.strip(), safe="")


_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")
_BOLD = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_ITALIC = re.compile(r"(?<![*\w])\*(?=\S)([^*]+?)(?<=\S)\*(?![*\w])")
_BULLET = re.compile(r"^(\s*)[-*+]\s+")
_LINK = re.compile(r"\[([^\]]+)\]\((\S+?)\)")


def whatsapp_text(markdown):
    """Markdown (as members write minutes) in WhatsApp's formatting: headings and
    **bold** become *bold*, *italic* becomes _italic_, bullets become •, links show
    their address."""
    lines = []
    for line in (markdown or "").replace("\r\n", "\n").split("\n"):
        if heading := _HEADING.match(line):
            line = f"**{heading.group(1)}**"
        line = _LINK.sub(r"\1 (\2)", line)
        line = _ITALIC.sub(r"_\1_", line)
        line = _BOLD.sub(r"*\2*", line)
        line = _BULLET.sub(lambda m: f"{m.group(1)}• ", line)
        lines.append(line.rstrip())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
