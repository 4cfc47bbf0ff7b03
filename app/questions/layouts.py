"""HIT layouts (the Requester website's projects): an HTML template with ``${name}`` placeholders.

Pure functions: find a template's parameters, fill them in (values HTML-escaped, so a CSV cell or a
HITLayoutParameter is text on the worker's page, never markup), and build the HTMLQuestion document the HIT
gets. No database here.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping

from kempelen.questions.schema import HTML_QUESTION

#: ``${name}``: letters, digits, ``_`` and ``-`` (CSV headers such as ``GODEL-L`` were used as variables).
PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_][A-Za-z0-9_\-]*)\}")
#: the Requester website's limit on a project's design layout (a guess shared with Turkle: 64 KB)
TEMPLATE_MAX_BYTES = 64 * 1024
_FORM_FIELD = re.compile(r"<\s*(input|select|textarea|crowd-[a-z-]+)\b[^>]*\bname\s*=", re.IGNORECASE)
_SUBMITS_ITSELF = re.compile(r"<\s*crowd-form\b|\bid\s*=\s*[\"']?mturk_form\b|externalSubmit", re.IGNORECASE)
_SUBMIT_CONTROL = re.compile(r"<\s*(input|button)\b[^>]*\btype\s*=\s*[\"']?submit", re.IGNORECASE)
_FLATTEN_OBJECTS = re.compile(r"<\s*crowd-form\b[^>]*\banswer-format\s*=\s*[\"']?flatten-objects", re.IGNORECASE)


def parameters(template: str) -> list[str]:
    """The layout's parameter names, each once, in the order they first appear."""
    return list(dict.fromkeys(PLACEHOLDER.findall(template)))


def template_problems(template: str) -> list[str]:
    """Why a design layout cannot be saved (empty list: it can)."""
    problems = []
    if not template.strip():
        problems.append("The design layout is empty.")
    elif len(template.encode("utf-8")) > TEMPLATE_MAX_BYTES:
        problems.append(f"The design layout is larger than {TEMPLATE_MAX_BYTES // 1024} KB.")
    elif not _FORM_FIELD.search(template):
        # The Requester website's own check (its wording, as requesters reported it)
        problems.append("Layout does not contain any fields that include a name attribute. Please include at least "
                        "one field with the name attribute (input, select or textarea) that will appear in your "
                        "results.")
    return problems


def missing_and_unknown(names: Iterable[str], given: Iterable[str]) -> tuple[list[str], list[str]]:
    """(parameters the layout needs that were not given, given names the layout does not use), each sorted
    in the layout's order / the given order."""
    names, given = list(names), list(given)
    wanted, supplied = set(names), set(given)
    return [n for n in names if n not in supplied], list(dict.fromkeys(g for g in given if g not in wanted))


def substitute(template: str, values: Mapping[str, str]) -> str:
    """The template with every ``${name}`` replaced by its value, HTML-escaped. Every name must be given."""
    return PLACEHOLDER.sub(lambda match: html.escape(values[match.group(1)], quote=True), template)


_WRAPPER_SCRIPT = """<script>
(function () {
  function param(name) {
    var match = new RegExp("[?&]" + name + "=([^&#]*)").exec(window.location.href);
    return match ? decodeURIComponent(match[1].replace(/\\+/g, " ")) : "";
  }
  var form = document.getElementById("mturk_form");
  var assignmentId = param("assignmentId");
  document.getElementById("assignmentId").value = assignmentId;
  form.action = (param("turkSubmitTo") || "") + "/mturk/externalSubmit";
  if (!assignmentId || assignmentId === "ASSIGNMENT_ID_NOT_AVAILABLE") {
    var buttons = form.querySelectorAll("input[type=submit], button[type=submit]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].disabled = true;
      if (buttons[i].tagName === "INPUT") {
        buttons[i].value = "You must ACCEPT the HIT before you can submit the results.";
      }
    }
  }
})();
</script>"""


def page(content: str) -> str:
    """The worker's page for filled-in layout content. A layout that submits itself (crowd-form, or its own
    mturk_form / externalSubmit) is used as it is; any other is placed in the ``mturk_form`` the Requester
    website wrapped layouts in, with the hidden assignmentId, a Submit button when it has none, and a small
    inline script that does what externalHIT_v1.js did (no asset from elsewhere)."""
    if _SUBMITS_ITSELF.search(content):
        return content
    submit = ("" if _SUBMIT_CONTROL.search(content)
              else '<p><input type="submit" id="submitButton" value="Submit"></p>')
    return ('<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>HIT</title></head><body>\n'
            '<form name="mturk_form" method="post" id="mturk_form" action="/mturk/externalSubmit">\n'
            '<input type="hidden" value="" name="assignmentId" id="assignmentId">\n'
            f"{content}\n{submit}\n</form>\n{_WRAPPER_SCRIPT}\n</body></html>")


def html_question(content: str, frame_height: int = 0) -> str:
    """An HTMLQuestion document carrying `content` in CDATA (a ``]]>`` inside is split across sections)."""
    cdata = "<![CDATA[" + content.replace("]]>", "]]]]><![CDATA[>") + "]]>"
    return (f'<HTMLQuestion xmlns="{HTML_QUESTION}"><HTMLContent>{cdata}</HTMLContent>'
            f"<FrameHeight>{int(frame_height)}</FrameHeight></HTMLQuestion>")


def build_question(template: str, values: Mapping[str, str], frame_height: int = 0) -> str:
    """The HTMLQuestion a HIT made from this layout gets."""
    return html_question(page(substitute(template, values)), frame_height)


def flattens_objects(question_or_template: str) -> bool:
    """Whether the crowd-form asks for ``answer-format="flatten-objects"`` (dotted Answer.* columns)."""
    return bool(_FLATTEN_OBJECTS.search(question_or_template))
