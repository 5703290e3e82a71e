"""The web chat's text as the widget must receive it to show it exactly as written.

rasa-webchat renders every assistant message as Markdown (react-markdown 4, remark-parse 5 in its GFM
mode), so a masked ID number such as 210102********0643 came out as "210102****0643" in bold, a read-back
of one field per line ran together in one paragraph, and an agent's reply could carry a link. Our
responses are plain text; `as_markdown` turns plain text into Markdown that renders as that same text:

- every character remark-parse treats as Markdown syntax (and can escape) is backslash-escaped;
- each line break becomes a hard line break (two spaces before it), so each line stays a line;
- a blank line still separates paragraphs (Rasa's socket.io output sends each paragraph as a message).

Leading spaces of a line are dropped (four of them would start a code block).
"""
from __future__ import annotations

import re

# markdown-escapes' "gfm" list: what remark-parse 5 with gfm (react-markdown 4's default) unescapes.
# Any other character after a backslash would show the backslash, so only these are escaped.
MARKDOWN_SYNTAX = "\\`*{}[]()#+-.!_>~|"
_SYNTAX = re.compile("([" + re.escape(MARKDOWN_SYNTAX) + "])")
_LINE_BREAK = re.compile(r"[ \t]*\r?\n[ \t]*")


def as_markdown(text: str) -> str:
    """Markdown that the widget renders as exactly `text`, one line per line."""
    escaped = _SYNTAX.sub(r"\\\1", text.strip())
    paragraphs = re.split(r"(?:[ \t]*\r?\n){2,}[ \t]*", escaped)
    return "\n\n".join(_LINE_BREAK.sub("  \n", paragraph) for paragraph in paragraphs)
