from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from communities.models import Community, Problem, ProblemComment, Stage, StageChange
from communities.services import KEEP_PUBLIC, WITHDRAW_PUBLIC
from communities.text import FORMATTING_HELP, WrittenTextarea, with_formatting_help

MAX_COFOUNDERS = 20
CONCERN_HELP = with_formatting_help(_("What worries or interests all of you about your teaching?"))


def _helper(submit_label, *layout):
    helper = FormHelper()
    if layout:
        helper.layout = Layout(*layout)
    helper.add_input(Submit("submit", submit_label))
    return helper


class FoundForm(forms.ModelForm):
    """Step 1 of founding: only what a community cannot exist without."""

    class Meta:
        model = Community
        fields = ["name", "concern"]
        widgets = {"concern": WrittenTextarea(rows=4)}
        help_texts = {
            "name": _("A short name your colleagues will recognise, e.g. “Literasi Kelas Rendah”."),
            "concern": CONCERN_HELP,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Found the community"))


AIM_LAYOUT = Fieldset(
    _("Which of the four aims do you pursue? Leave empty what you do not."),
    *Community.AIM_FIELDS,
)


class GoalForm(forms.ModelForm):
    """Step 2 of founding: goal, norms and rhythm."""

    class Meta:
        model = Community
        fields = ["goal", "norms", "rhythm_weeks", "rhythm_note", *Community.AIM_FIELDS]
        widgets = {"goal": WrittenTextarea(), "norms": WrittenTextarea()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Save and continue"), "goal", "norms", "rhythm_weeks", "rhythm_note", AIM_LAYOUT)


class PublicItemsQuestion:
    """For forms that change the visibility: when the community has public items (see
    communities.public_items) and could become less visible, lists them and asks whether
    they stay public; narrowing the visibility needs an answer."""

    def ask_about_public_items(self, items):
        self.previous_visibility = self.instance.visibility
        if not items or self.previous_visibility == Community.Visibility.MEMBERS:
            return
        listed = format_html_join(
            "",
            '<li><a href="{}">{}</a>{}</li>',
            ((item.url, item.title, f" ({item.note})" if item.note else "") for item in items),
        )
        self.fields["public_items"] = forms.ChoiceField(
            label=_("If fewer people can see the community after this change, what happens to what it published?"),
            choices=[
                (KEEP_PUBLIC, _("Keep it public: it names the community, without a link to its pages")),
                (WITHDRAW_PUBLIC, _("Withdraw it from the public showcase now")),
            ],
            widget=forms.RadioSelect,
            required=False,
            help_text=format_html(
                '{}<ul class="mb-0 public-items">{}</ul>',
                _("These stay public, each at its own address, whatever the community's visibility:"),
                listed,
            ),
        )

    def check_public_items(self, data):
        after = data.get("visibility")
        if (
            "public_items" in self.fields
            and after
            and Community.Visibility.narrows(self.previous_visibility, after)
            and not data.get("public_items")
        ):
            self.add_error(
                "public_items",
                _(
                    "Fewer people will see the community, but what it published stays public: "
                    "choose whether to keep it public or withdraw it."
                ),
            )


class SettingsForm(PublicItemsQuestion, forms.ModelForm):
    """Step 3 of founding: who can see it, and the co-founders to invite."""

    cofounders = forms.CharField(
        label=_("Co-founders to invite"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "ani@sekolah.sch.id\nbudi@sekolah.sch.id"}),
        help_text=_("Email addresses, one per line. Colleagues without an account get a sign-up link."),
    )

    class Meta:
        model = Community
        fields = ["kind", "visibility"]
        widgets = {"kind": forms.RadioSelect, "visibility": forms.RadioSelect}

    def __init__(self, *args, public_items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.ask_about_public_items(public_items)
        self.helper = _helper(_("Finish"))

    def clean(self):
        data = super().clean()
        self.check_public_items(data)
        return data

    def clean_cofounders(self):
        emails = [line.strip() for line in self.cleaned_data["cofounders"].replace(",", "\n").splitlines()]
        emails = list(dict.fromkeys(e for e in emails if e))
        if len(emails) > MAX_COFOUNDERS:
            raise ValidationError(_("Invite at most %(n)d people at once.") % {"n": MAX_COFOUNDERS})
        bad = []
        for email in emails:
            try:
                validate_email(email)
            except ValidationError:
                bad.append(email)
        if bad:
            raise ValidationError(_("Not valid email addresses: %(emails)s") % {"emails": ", ".join(bad)[:300]})
        return emails


class CommunityForm(PublicItemsQuestion, forms.ModelForm):
    """The whole profile, for the coordinator. School and stage are never edited here."""

    class Meta:
        model = Community
        fields = [
            "name",
            "concern",
            "goal",
            "norms",
            "rhythm_weeks",
            "rhythm_note",
            *Community.AIM_FIELDS,
            "kind",
            "visibility",
        ]
        widgets = {"concern": WrittenTextarea(), "goal": WrittenTextarea(), "norms": WrittenTextarea()}
        help_texts = {"concern": CONCERN_HELP}

    def __init__(self, *args, public_items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.ask_about_public_items(public_items)
        self.helper = _helper(
            _("Save"),
            "name",
            "concern",
            "goal",
            "norms",
            "rhythm_weeks",
            "rhythm_note",
            AIM_LAYOUT,
            "kind",
            "visibility",
            *(["public_items"] if "public_items" in self.fields else []),
        )

    def clean(self):
        data = super().clean()
        self.check_public_items(data)
        return data


class InviteForm(forms.Form):
    email = forms.CharField(label=_("Email address"), max_length=254)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Invite"))


class StageChangeForm(forms.ModelForm):
    to_stage = forms.ChoiceField(label=_("Move to"), choices=Stage.choices)

    class Meta:
        model = StageChange
        fields = ["note", "evidence"]
        widgets = {"note": WrittenTextarea(), "evidence": forms.Textarea(attrs={"rows": 2})}
        help_texts = {"note": with_formatting_help(_("Why now? When moving back, give the reason."))}

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [
            (stage, label)
            for stage, label in Stage.choices
            if stage in (community.next_stage, community.previous_stage)
        ]
        self.fields["to_stage"].choices = choices
        self.fields["to_stage"].initial = community.next_stage or community.previous_stage
        self.fields = {name: self.fields[name] for name in ("to_stage", "note", "evidence")}
        self.helper = _helper(_("Change stage"))


class ProblemForm(forms.ModelForm):
    class Meta:
        model = Problem
        fields = ["title", "description"]
        widgets = {"description": WrittenTextarea(rows=5)}
        help_texts = {"description": FORMATTING_HELP}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Save"))


class CommentForm(forms.ModelForm):
    class Meta:
        model = ProblemComment
        fields = ["body"]
        widgets = {"body": WrittenTextarea()}
        help_texts = {"body": FORMATTING_HELP}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Send comment"))


class InvitationSignupForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(
        label=_("Password (again)"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, email, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email
        self.helper = _helper(_("Create my account and join"))

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif p1:
            from kompra.accounts.models import User

            try:
                password_validation.validate_password(
                    p1, User(email=self.email, full_name=cleaned.get("full_name", ""))
                )
            except ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned
