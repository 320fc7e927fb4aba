"""The English interface words staff must never meet, and a reader that finds
them in a page: its visible text and what a screen reader or a tooltip gives
(aria-label, title, placeholder, alt, button values). Used by the admin
pages' test (tests/aidportal/test_locale.py) and the editor's browser test."""

import re
from html.parser import HTMLParser

# English interface words (case-insensitive, whole words).
ENGLISH = {
    "access", "action", "actions", "add", "all", "alternative", "articles",
    "attempts", "false", "historical", "personnel", "projects", "true",
    "bold", "bullets", "by", "can", "cancel", "caption", "change", "changes",
    "choose", "clear", "close", "confirm", "date", "delete", "deleted",
    "edit", "error", "failures", "field", "figure", "filter", "go",
    "heading", "hide", "history", "home", "image", "import", "insert",
    "italic", "link", "list", "log", "logs", "model", "name", "no", "none",
    "now", "object", "of", "or", "ordered", "page", "paragraph", "password",
    "please", "properties", "quote", "reason", "recent", "redo", "remove",
    "required", "revert", "rule", "save", "search", "select", "show",
    "submit", "text", "the", "this", "time", "title", "today", "undo",
    "update", "url", "user", "view", "yes", "yesterday",
}  # fmt: skip
# Proper nouns and file formats, which stay as they are.
ALLOWED = {"csv", "xlsx", "txt", "excel", "jpeg", "png", "webp", "gif", "mb", "id"}
SPOKEN_ATTRIBUTES = {"aria-label", "title", "placeholder", "alt", "aria-description"}
LATIN_WORD = re.compile(r"[A-Za-z]+")


def english_words(text):
    """The English interface words of a text, in order."""
    return [
        word
        for word in LATIN_WORD.findall(text)
        if word.lower() in ENGLISH and word.lower() not in ALLOWED
    ]


class _Reader(HTMLParser):
    """What a member of staff reads or hears on a page: its text (script,
    style and the editable text of textareas left out) and the spoken
    attributes of its elements."""

    skipped = {"script", "style", "textarea", "template"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self._skipping = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in SPOKEN_ATTRIBUTES & attrs.keys():
            self.parts.append((f"{tag}[{name}]", attrs[name] or ""))
        if tag == "input" and attrs.get("type") in {"submit", "button", "reset"}:
            self.parts.append((f"{tag}[value]", attrs.get("value") or ""))
        if tag == "title" or tag in self.skipped:
            self._skipping.append(tag)

    def handle_endtag(self, tag):
        if self._skipping and self._skipping[-1] == tag:
            self._skipping.pop()

    def handle_data(self, data):
        if not self._skipping or self._skipping[-1] == "title":
            self.parts.append(("text", data))


def english_on(html):
    """The English interface words of a page, each with where it was read."""
    reader = _Reader()
    reader.feed(html)
    return sorted(
        {
            f"{where}: {text.strip()[:80]!r}"
            for where, text in reader.parts
            if english_words(text)
        }
    )
