"""Reading pages as a browser would: forms with their fields and buttons, and the text
people see."""

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Form:
    action: str
    method: str
    csrf_fields: int = 0
    submits: list = field(default_factory=list)  # the label of each submit button or input


class Page(HTMLParser):
    """Forms (with their CSRF fields and submit buttons), links and the visible text."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self.links = []  # (href, text)
        self.texts = []
        self._form = None
        self._button = None  # text of the submit button being read
        self._link = None
        self._hidden = 0  # depth inside <script>, <style>, <title>
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        if tag in ("script", "style", "title"):
            self._hidden += 1
        elif tag == "form":
            self._form = Form(action=attrs.get("action", ""), method=attrs.get("method", "get").lower())
            self.forms.append(self._form)
        elif tag == "input" and self._form is not None:
            if attrs.get("name") == "csrfmiddlewaretoken":
                self._form.csrf_fields += 1
            if attrs.get("type") == "submit":
                self._form.submits.append(attrs.get("value", "").strip())
        elif tag == "button" and self._form is not None and attrs.get("type", "submit") == "submit":
            self._button = []
        elif tag == "a":
            self._link = (attrs.get("href", ""), [])

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag in ("script", "style", "title"):
            self._hidden -= 1
        elif tag == "form":
            self._form = None
        elif tag == "button" and self._button is not None:
            self._form.submits.append(" ".join("".join(self._button).split()))
            self._button = None
        elif tag == "a" and self._link is not None:
            self.links.append((self._link[0], " ".join("".join(self._link[1]).split())))
            self._link = None

    def handle_data(self, data):
        if self._hidden:
            return
        self.texts.append(data)
        if self._button is not None:
            self._button.append(data)
        if self._link is not None:
            self._link[1].append(data)

    @property
    def text(self):
        """The visible text, whitespace collapsed."""
        return " ".join(" ".join(self.texts).split())

    def forms_to(self, action):
        return [form for form in self.forms if form.action == action]
