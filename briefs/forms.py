"""Forms of the brief library; they validate and clean, nothing else."""

from urllib.parse import urlencode

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext_lazy as _

from briefs.importer import GREEK_QUESTION_END, QUESTION_END, content_hash
from briefs.languages import language_choices
from briefs.models import Brief


class BriefSearchForm(forms.Form):
    q = forms.CharField(label=_("Search briefs"), required=False, max_length=200)
    tag = forms.SlugField(label=_("Tag"), required=False, max_length=60)
    # "list": one line per brief, many to a page, for a teacher looking for one among hundreds.
    view = forms.ChoiceField(
        label=_("Show as"), required=False, choices=[("cards", "Cards"), ("list", "List")]
    )

    def query_string(self) -> str:
        """The current filters, for pagination links."""
        if not self.is_valid():
            return ""
        return urlencode({key: value for key, value in self.cleaned_data.items() if value})

    def filter_string(self) -> str:
        """The search and tag alone, for the links that switch between cards and the list."""
        if not self.is_valid():
            return ""
        return urlencode({key: self.cleaned_data[key] for key in ("q", "tag") if self.cleaned_data[key]})


MAX_UPLOAD_BYTES = 2 * 1024 * 1024


def split_tags(text: str) -> list[str]:
    return [name.strip()[:50] for name in text.split(",") if name.strip()][:10]


class BriefImportForm(forms.Form):
    """Brief text pasted or uploaded; the importer reads it, nothing is written here."""

    file = forms.FileField(
        label=_("Upload a text file"), required=False, help_text=_("UTF-8 text, up to 2 MB.")
    )
    text = forms.CharField(
        label=_("Or paste the briefs"),
        required=False,
        strip=False,  # leading blank lines count: error line numbers match the original
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}),
        help_text=_(
            "Each brief: optional headline, summary, optional commentary, then the question ending in “?”."
        ),
    )
    tags = forms.CharField(
        label=_("Tags for the new briefs"), required=False, max_length=300, help_text=_("Comma-separated.")
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload:
            if upload.size > MAX_UPLOAD_BYTES:
                raise forms.ValidationError(_("The file is larger than 2 MB; split it into smaller files."))
            raw = upload.read()
            try:
                cleaned["text"] = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                line = raw[: error.start].count(b"\n") + 1
                raise forms.ValidationError(
                    _(
                        "Line %(line)d of the file is not UTF-8 text. Save the file as UTF-8 and upload it again."
                    )
                    % {"line": line}
                ) from None
        if not cleaned.get("text", "").strip():
            raise forms.ValidationError(_("Upload a file or paste some briefs."))
        cleaned["tag_names"] = split_tags(cleaned.get("tags", ""))
        return cleaned


def _language_choices() -> list[tuple[str, str]]:
    return [("", gettext("The site's language")), *language_choices()]


class BriefForm(forms.ModelForm):
    tags_text = forms.CharField(
        label=_("Tags"), required=False, max_length=300, help_text=_("Comma-separated.")
    )
    # A list rather than a free code: every choice is a code briefs.languages knows.
    language = forms.ChoiceField(
        label=gettext_lazy("Language of the text"),
        required=False,
        choices=_language_choices,
        help_text=gettext_lazy("Marks the text for screen readers, spelling and hyphenation."),
    )

    class Meta:
        model = Brief
        fields = ["title", "summary", "commentary", "question", "source_url", "language"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 5}),
            "commentary": forms.Textarea(attrs={"rows": 2}),
            "question": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {"source_url": _("Source URL")}
        help_texts = {
            "title": _("Leave empty to use the summary's first sentence."),
            "commentary": _("One line of analysis that students can agree or disagree with (optional)."),
            "question": _("The open question students answer. End it with “?”."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False
        if self.instance.pk and not self.is_bound:
            self.initial["tags_text"] = ", ".join(tag.name for tag in self.instance.tags.all())

    def clean_question(self) -> str:
        question = " ".join(self.cleaned_data["question"].split())
        if not question.endswith((*QUESTION_END, GREEK_QUESTION_END)):
            raise forms.ValidationError(_("End the question with a question mark."))
        return question

    def clean(self) -> dict:
        cleaned = super().clean()
        question = cleaned.get("question", "")
        if question.endswith(GREEK_QUESTION_END) and cleaned.get("language") != "el":
            # ";" is the Greek question mark, and a semicolon everywhere else.
            self.add_error("question", gettext("End the question with a question mark."))
        if cleaned.get("summary") and cleaned.get("question"):
            digest = content_hash(cleaned["summary"], cleaned["question"])
            twin = Brief.objects.current().filter(content_hash=digest)
            if self.instance.pk:
                twin = twin.exclude(pk__in=self.instance.versions())
            twin = twin.first()
            if twin:
                raise forms.ValidationError(
                    _("The library already has this brief: “%(title)s”.") % {"title": twin.title}
                )
        cleaned["tag_names"] = split_tags(cleaned.get("tags_text", ""))
        return cleaned


class BriefOwnerForm(forms.Form):
    """Another instructor, by username, to add as an owner (or, with `remove`, to take off)."""

    username = forms.CharField(label=_("Instructor's username"), max_length=150)
    remove = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict:
        cleaned = super().clean()
        username = cleaned.get("username", "").strip()
        if username:
            user = (
                get_user_model()
                .objects.filter(username__iexact=username, is_instructor=True, is_active=True)
                .first()
            )
            if user is None:
                raise forms.ValidationError(
                    _("No instructor has the username “%(username)s”.") % {"username": username}
                )
            cleaned["user"] = user
        return cleaned
