"""Every box where people write at length keeps a draft in the browser and offers the
bold and list buttons (communities.text.WrittenTextarea), and no form speaks of
"Markdown", a word teachers do not know."""

import pytest
from django import forms
from django.utils import translation

from activities import forms as activity_forms
from communities import forms as community_forms
from communities.text import WrittenTextarea
from publishing import forms as publishing_forms
from schools import forms as school_forms
from supervision import forms as supervision_forms

WRITING = [
    (community_forms.FoundForm, "concern"),
    (community_forms.GoalForm, "goal"),
    (community_forms.GoalForm, "norms"),
    (community_forms.StageChangeForm, "note"),
    (community_forms.ProblemForm, "description"),
    (community_forms.CommentForm, "body"),
    (activity_forms.MinutesForm, "minutes"),
    (activity_forms.ActionPlanStatusForm, "outcome"),
    (activity_forms.ProductForm, "description"),
    (publishing_forms.PublicationForm, "summary"),
    (school_forms.FeedbackForm, "body"),
    (school_forms.ReplyForm, "body"),
    (supervision_forms.SchoolFeedbackForm, "body"),
    (supervision_forms.SchoolReplyForm, "body"),
]


@pytest.mark.parametrize(("form_class", "field"), WRITING, ids=[f"{f.__name__}.{n}" for f, n in WRITING])
def test_writing_box_keeps_a_draft_and_offers_formatting(form_class, field):
    widget = form_class.base_fields[field].widget
    assert isinstance(widget, WrittenTextarea)
    assert {"data-draft", "data-formatting"} <= set(widget.attrs)


def every_form_class():
    for module in (community_forms, activity_forms, publishing_forms, school_forms, supervision_forms):
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, forms.BaseForm) and value.__module__ == module.__name__:
                yield value


@pytest.mark.parametrize("language", ["id", "en"])
def test_no_form_speaks_of_markdown(language):
    with translation.override(language):
        for form_class in every_form_class():
            for name, field in form_class.base_fields.items():
                assert "markdown" not in str(field.help_text).lower(), f"{form_class.__name__}.{name}"
