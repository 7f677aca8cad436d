"""Forms of the classroom; they validate and clean, nothing else."""

import logging
import uuid
from datetime import UTC, datetime, timedelta
from functools import cache

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from briefs.models import Brief
from classroom import languages, names
from classroom.actions import AssignmentRules
from classroom.mail import mail_works
from classroom.models import (
    DISPUTES,
    STANCE_LABELS,
    Assignment,
    Group,
    Notification,
    User,
    normalise_join_code,
    time_zone_names,
    validate_time_zone,
)
from classroom.text import BODY_MAX_CHARS
from classroom.usernames import free_username, split_name, username_base

logger = logging.getLogger(__name__)

# The parts of a brief a quote comes from, as the quote list names them.
PART_NAMES = {
    "summary": pgettext_lazy("part of a brief", "Summary"),
    "commentary": pgettext_lazy("part of a brief", "Commentary"),
}


class ResponseForm(forms.Form):
    body = forms.CharField(
        label=_("Your answer"),
        max_length=BODY_MAX_CHARS,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Write something before you post.")},
    )
    # One token per rendered form: a retried or double-clicked submit posts once.
    client_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args,
        min_words: int = 0,
        label: str | None = None,
        sentences: list[tuple[str, int, str]] | None = None,
        steelman_label: str = "",
        **kwargs,
    ):
        kwargs.setdefault("label_suffix", "")
        kwargs.setdefault("initial", {}).setdefault("client_token", uuid.uuid4())
        super().__init__(*args, **kwargs)
        self.min_words = min_words
        if label:
            self.fields["body"].label = label
        self.fields["body"].widget.attrs.update({"data-min-words": min_words, "maxlength": BODY_MAX_CHARS})
        if sentences is not None:  # the thread lets answers quote the brief
            choices = [("", _("No quote"))]
            for part, index, text in sentences:
                short = text if len(text) <= 110 else text[:107] + "…"
                # Translators: a sentence of the brief in a list, e.g. "Summary 2: Officials said …".
                shown = _("%(part)s %(number)s: %(sentence)s") % {
                    "part": PART_NAMES.get(part, part.capitalize()),
                    "number": index + 1,
                    "sentence": short,
                }
                choices.append((f"{part}:{index}", shown))
            self.fields["quote"] = forms.ChoiceField(
                label=_("Quote a sentence of the brief (optional)"),
                choices=choices,
                required=False,
                help_text=_("Or select a sentence in the brief above."),
                error_messages={
                    "invalid_choice": _("That sentence is not in the brief any more; pick another.")
                },
            )
            self.fields["disputes"] = forms.ChoiceField(
                label=_("Your answer…"), choices=DISPUTES, required=False, widget=forms.RadioSelect
            )
        if steelman_label:
            self.fields["steelman"] = forms.CharField(
                label=steelman_label,
                max_length=BODY_MAX_CHARS,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text=_("Say it so that they would agree it is their view. Then give your reply below."),
                error_messages={"required": _("First restate their view in your own words.")},
            )

    def clean_quote(self) -> tuple[str, int] | None:
        part, _colon, index = self.cleaned_data["quote"].partition(":")
        return (part, int(index)) if part else None


class StanceForm(forms.Form):
    stance = forms.TypedChoiceField(
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Pick one of the five points of the scale.")},
    )
    moment = forms.ChoiceField(choices=[("before", "before"), ("after", "after")], widget=forms.HiddenInput)

    def __init__(self, *args, scale: list[tuple[int, str]], **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["stance"].choices = scale


class GroupForm(forms.Form):
    name = forms.CharField(
        label=_("Group name"), max_length=120, help_text=_("For example “Period 3 · World Affairs”.")
    )


class GroupInstructorForm(forms.Form):
    """Another instructor, by username or email, to teach a group with its teachers."""

    who = forms.CharField(
        label=_("Add a co-teacher"),
        max_length=254,
        help_text=_("Their username or email. Only instructor accounts can teach a group."),
        error_messages={"required": _("Type the username or email of the instructor to add.")},
    )

    def clean_who(self) -> User:
        typed = self.cleaned_data["who"].strip()
        instructors = User.objects.filter(is_instructor=True, is_active=True)
        found = list(instructors.filter(username__iexact=typed)) or list(
            instructors.filter(email__iexact=typed)[:2] if "@" in typed else []
        )
        # Said the same way for a student, an inactive account and nobody: nothing is revealed.
        if not found:
            raise forms.ValidationError(
                _("No instructor account has the username or email “%(typed)s”.") % {"typed": typed}
            )
        if len(found) > 1:
            raise forms.ValidationError(
                _("More than one instructor account uses that email: type the username.")
            )
        return found[0]


class JoinCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Join code"), max_length=20, help_text=_("Your teacher gives you this code.")
    )

    def clean_code(self) -> str:
        code = normalise_join_code(self.cleaned_data["code"])
        if not code:
            raise forms.ValidationError(_("Type the code your teacher gave you."))
        return code


class SignupForm(forms.ModelForm):
    """A student's account from a join link: their name, a username suggested from it, a password."""

    name = forms.CharField(
        label=_("Your name"),
        max_length=300,
        help_text=_("First and last name, as your teacher knows you."),
        error_messages={"required": _("Write your name, so your teacher knows who you are.")},
    )
    # The username the page last suggested: left as it was, it may become the next free one.
    suggested = forms.CharField(widget=forms.HiddenInput, required=False, max_length=150)
    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    # Filled in by static/js/app.js from the browser's own zone; changeable on the profile page.
    time_zone = forms.CharField(
        required=False, widget=forms.HiddenInput(attrs={"data-browser-time-zone": ""})
    )

    class Meta:
        model = User
        fields = ["username"]

    field_order = ["name", "suggested", "username", "password"]

    def __init__(self, *args, suggest_url: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        if suggest_url:  # the page asks for a username while the name is typed
            self.fields["name"].widget.attrs.update(
                {
                    "hx-get": suggest_url,
                    "hx-trigger": "input changed delay:300ms",
                    "hx-target": "#username-field",
                    "hx-swap": "outerHTML",
                    "hx-include": "#id_username, #id_suggested",
                    "hx-sync": "this:replace",
                }
            )
        self.fields["username"].required = False
        self.fields["username"].widget.attrs["autocomplete"] = "username"
        self.fields["username"].help_text = _(
            "Made from your name; change it if you like. You log in with it. "
            "Letters, digits and @ . + - _ only."
        )

    @classmethod
    def suggesting(cls, data) -> "SignupForm":
        """The form with a username suggested from the name typed so far, unless the
        student wrote a username of their own."""
        typed = data.get("username", "").strip()
        if typed and typed != data.get("suggested", ""):
            return cls(initial={"username": typed, "suggested": data.get("suggested", "")})
        name = data.get("name", "")[:300]
        username = free_username(name) if username_base(name) else ""
        return cls(initial={"username": username, "suggested": username})

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        refuse_direction_controls(name)
        first_name, last_name = split_name(name)
        if len(first_name) > 150 or len(last_name) > 150:
            raise forms.ValidationError(_("That name is too long: write it shorter."))
        self.cleaned_data["first_name"], self.cleaned_data["last_name"] = first_name, last_name
        return name

    def clean_username(self) -> str:
        # "Sam" and "sam" would be two accounts that look like one (as Django's own UserCreationForm).
        username = self.cleaned_data["username"]
        if not username or (username == self.cleaned_data.get("suggested") and self._taken(username)):
            return free_username(self.cleaned_data.get("name", ""))
        if self._taken(username):
            raise forms.ValidationError(self.instance.unique_error_message(User, ["username"]), code="unique")
        return username

    @staticmethod
    def _taken(username: str) -> bool:
        return User.objects.filter(username__iexact=username).exists()

    def clean_password(self) -> str:
        from django.contrib.auth.password_validation import validate_password

        password = self.cleaned_data["password"]
        user = User(
            username=self.cleaned_data.get("username", ""),
            first_name=self.cleaned_data.get("first_name", ""),
            last_name=self.cleaned_data.get("last_name", ""),
        )
        validate_password(password, user)
        return password

    def clean_time_zone(self) -> str:
        # A guess the person never saw: one this server does not know is dropped, not an error.
        zone = self.cleaned_data["time_zone"]
        return zone if zone in time_zone_names() else ""


def refuse_direction_controls(name: str) -> None:
    if problem := names.name_problem(name):
        raise forms.ValidationError(problem)


class ProfileForm(forms.Form):
    """Name and email; the email may stay empty for students (they reset through their teacher)."""

    first_name = forms.CharField(
        label=_("First name"), max_length=150, validators=[refuse_direction_controls]
    )
    last_name = forms.CharField(label=_("Last name"), max_length=150, validators=[refuse_direction_controls])
    email = forms.EmailField(label=_("Email"), max_length=254, required=False)
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        help_text=_("The language of Agora's pages and of the mail it sends you."),
    )

    def __init__(self, *args, email_required: bool, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        email = self.fields["email"]
        email.required = email_required
        email.widget.attrs["autocomplete"] = "email"
        # Each language named in itself (settings.LANGUAGES): a reader finds their own.
        self.fields["language"].choices = [("", _("The browser's language")), *settings.LANGUAGES]
        if email_required:
            email.help_text = _("Password reset links are sent here.")
            email.error_messages["required"] = _(
                "Instructors need an email address: reset links are sent to it."
            )
        else:
            email.label = _("Email (optional)")
            email.help_text = _(
                "With an address, you can reset a forgotten password yourself. "
                "Without one, your teacher gives you a set-password link."
            )


# The zones offered in the list: the world's regions. Older names (US/Eastern, Etc/GMT+5)
# are still accepted, and one already chosen is listed under "Other".
TIME_ZONE_REGIONS = (
    "Africa",
    "America",
    "Antarctica",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
)


@cache
def time_zone_groups() -> tuple:
    """The zones grouped by region, each place named without its region: Chicago in America."""
    groups = {region: [] for region in TIME_ZONE_REGIONS}
    for name in sorted(time_zone_names()):
        region, _slash, place = name.partition("/")
        if region in groups:
            groups[region].append((name, place.replace("_", " ").replace("/", " / ")))
    return (("UTC", [("UTC", "UTC")]), *((region, places) for region, places in groups.items()))


class TimeZoneField(forms.ChoiceField):
    """A select of the zones, grouped by region; any zone name this machine knows is taken."""

    default_error_messages = {
        "invalid_choice": _(
            "“%(value)s” is not a time zone we know. Pick one from the list, such as Europe/Berlin."
        )
    }

    def __init__(self, *, current: str = "", **kwargs) -> None:
        choices = [
            ("", _("The site's default (%(zone)s)") % {"zone": settings.TIME_ZONE}),
            *time_zone_groups(),
        ]
        listed = {name for _region, places in time_zone_groups() for name, _place in places}
        if current and current not in listed and current in time_zone_names():
            choices.append((pgettext_lazy("time zone region", "Other"), [(current, current)]))
        super().__init__(choices=choices, required=False, **kwargs)

    def valid_value(self, value: str) -> bool:
        return value == "" or value in time_zone_names()

    def validate(self, value: str) -> None:
        if len(value) > 64:  # the message quotes the value: keep it short
            value = value[:60] + "…"
        if not self.valid_value(value):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
            )
        validate_time_zone(value)


class TimeZoneForm(forms.Form):
    def __init__(self, *args, current: str = "", **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["time_zone"] = TimeZoneField(
            current=current,
            label=_("Your time zone"),
            help_text=_(
                "Every date and time in Agora is shown in it, and the times you type are read in it."
            ),
        )


class NotificationSettingsForm(forms.Form):
    """Which notifications come by mail, right away or once a day, and when mail waits."""

    email_on = forms.MultipleChoiceField(
        label=_("Send me mail when"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    daily_digest = forms.BooleanField(
        label=_("Collect them into one mail a day (07:00 in your time zone)"), required=False
    )
    quiet_from = forms.TimeField(
        label=_("Quiet hours from"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("No mail between these times, in your own time zone; it comes when they end."),
    )
    quiet_until = forms.TimeField(
        label=_("until"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )

    def __init__(self, *args, instructor: bool = False, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        kinds = Notification.Kind.choices
        if not instructor:
            kinds = [(value, label) for value, label in kinds if value != Notification.Kind.DIGEST]
        self.fields["email_on"].choices = kinds

    def clean(self) -> dict:
        data = super().clean()
        if (data.get("quiet_from") is None) != (data.get("quiet_until") is None):
            raise forms.ValidationError(_("Give both ends of your quiet hours, or neither."))
        if data.get("quiet_from") is not None and data["quiet_from"] == data.get("quiet_until"):
            raise forms.ValidationError(_("Quiet hours need different start and end times."))
        return data


def default_due() -> timezone.datetime:
    """A week from now at 23:59, local time."""
    local = timezone.localtime() + timedelta(days=7)
    return local.replace(hour=23, minute=59, second=0, microsecond=0)


class DateTimeField(forms.DateTimeField):
    """A date and time that exists: a real month, day and hour, a UTC offset under a day,
    and a year from 2000 to 2999, so that every reader's time zone can show it (Python's
    dates end with the year 9999, and 9999-12-31 23:59 is already 10000 in Tokyo)."""

    default_error_messages = {
        "invalid": _("That date is not valid: check the day, the month, the hour and any UTC offset."),
        "year": _("Give a date in the years 2000 to 2999."),
        "ambiguous": _(
            "%(when)s happens twice in %(zone)s: the clocks go back that night."
            " Pick a time an hour earlier or later."
        ),
        "nonexistent": _(
            "%(when)s does not exist in %(zone)s: the clocks go forward that night."
            " Pick a time an hour later."
        ),
    }

    def to_python(self, value) -> datetime | None:
        # A time without an offset is read in the person's own zone (the one activated for the request).
        try:
            when = super().to_python(value)
        except forms.ValidationError as refusal:
            if refusal.code != "ambiguous_timezone":
                raise
            naive, zone = refusal.params["datetime"], timezone.get_current_timezone()
            # A time in the spring gap comes back from UTC as another wall time; a doubled one does not.
            there_and_back = naive.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)
            code = "ambiguous" if there_and_back.replace(tzinfo=None) == naive else "nonexistent"
            raise forms.ValidationError(
                self.error_messages[code],
                code=code,
                params={
                    "when": formats.date_format(naive, "d M Y, H:i"),
                    "zone": timezone.get_current_timezone_name(),
                },
            ) from None
        if when is not None and not 2000 <= when.year <= 2999:
            raise forms.ValidationError(self.error_messages["year"], code="year")
        return when


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class AssignmentRulesForm(forms.ModelForm):
    class Meta:
        model = Assignment
        fields = [
            "opens_at",
            "due_at",
            "post_first",
            "anonymous_to_peers",
            "min_words",
            "replies_required",
            "allow_late",
            "points",
            "stance",
            "stance_labels",
            "evidence",
            "reveal_quorum",
            "steelman",
        ]
        field_classes = {"opens_at": DateTimeField, "due_at": DateTimeField}
        widgets = {
            "opens_at": DateTimeLocalInput(),
            "due_at": DateTimeLocalInput(),
            "stance_labels": forms.Textarea(
                attrs={"rows": 5, "placeholder": format_lazy("{}\n{}\n{}\n{}\n{}", *STANCE_LABELS)}
            ),
        }
        labels = {
            "opens_at": _("Opens"),
            "due_at": _("Due"),
            "reveal_quorum": _("Fair reveal: per cent of the class who answer first"),
        }
        help_texts = {
            "post_first": _("Each student answers before seeing anyone else's answer."),
            "anonymous_to_peers": _("Classmates see “Classmate 4”; you see real names."),
            "min_words": _("0 for no minimum."),
            "replies_required": _("How many classmates each student should reply to."),
            "allow_late": _("After the due time, answers are still taken and marked late."),
            "due_at": _("Leave empty for no due date."),
            "stance": _("Students place themselves on a five-point scale before answering, and again after."),
            "stance_labels": _(
                "Optional: five labels, one per line, to replace “Strongly disagree … Strongly agree”."
            ),
            "evidence": _(
                "Answers can quote a sentence of the brief and say whether they dispute a fact or the commentary."
            ),
            "reveal_quorum": _(
                "Empty for off. Otherwise no one sees classmates' answers until this share of the class"
                " has answered or the due time comes, whichever is first (60 is a good start)."
            ),
            "steelman": _("A reply to a classmate first restates their view; they can mark it as fair."),
        }

    def clean(self):
        cleaned = super().clean()
        opens_at, due_at = cleaned.get("opens_at"), cleaned.get("due_at")
        if opens_at and due_at and due_at <= opens_at:
            self.add_error("due_at", _("The due time must be after the opening time."))
        labels = [line for line in (cleaned.get("stance_labels") or "").splitlines() if line.strip()]
        if labels and len(labels) != len(STANCE_LABELS):
            self.add_error(
                "stance_labels",
                ngettext(
                    "Give exactly five labels, one per line (this has %(count)d).",
                    "Give exactly five labels, one per line (this has %(count)d).",
                    len(labels),
                )
                % {"count": len(labels)},
            )
        if any(len(label) > 40 for label in labels):
            self.add_error("stance_labels", _("Keep each label under 40 characters."))
        return cleaned

    def rules(self) -> AssignmentRules:
        return AssignmentRules(**{name: self.cleaned_data[name] for name in self.Meta.fields})


class AssignQueryForm(forms.Form):
    """The assign page's query string: ?q= searches the briefs, ?brief=<slug> and ?group=<id> preselect;
    ?rules_from=<assignment id> starts from a discussion's rules and brief ("assign again"),
    ?preset=<id> from one of the teacher's saved rule presets."""

    q = forms.CharField(label=_("Find a brief"), required=False, max_length=200)
    brief = forms.SlugField(required=False, max_length=220)
    group = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    rules_from = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    preset = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)

    def value(self, name: str):
        """The field's clean value, or None when it is empty or refused."""
        self.is_valid()
        return self.cleaned_data.get(name) or None


class AssignForm(AssignmentRulesForm):
    """Assign one brief to one or more of the instructor's groups."""

    brief = forms.ModelChoiceField(queryset=Brief.objects.none(), label=_("Brief"))
    groups = forms.ModelMultipleChoiceField(
        queryset=Group.objects.none(), label=_("Groups"), widget=forms.CheckboxSelectMultiple
    )

    class Meta(AssignmentRulesForm.Meta):
        fields = ["brief", "groups", *AssignmentRulesForm.Meta.fields]

    BRIEF_CHOICES_SHOWN = 12

    def __init__(self, *args, instructor: User, brief_query: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["brief"].queryset = Brief.objects.active().order_by("title")
        self.fields["brief"].error_messages["required"] = _("Pick the brief to discuss.")
        self.brief_query = brief_query.strip()[:200]
        self.fields["groups"].queryset = Group.objects.taught_by(instructor).active()
        self.fields["groups"].error_messages["required"] = _("Pick at least one group.")
        if not self.is_bound:
            self.initial.setdefault("opens_at", timezone.localtime().replace(second=0, microsecond=0))
            self.initial.setdefault("due_at", default_due())

    def rules(self) -> AssignmentRules:
        return AssignmentRules(**{name: self.cleaned_data[name] for name in AssignmentRulesForm.Meta.fields})

    def brief_choices(self) -> tuple[list[Brief], int]:
        """The briefs to pick from: the search results (newest first), the chosen one always
        included; and how many matched in all."""
        briefs = Brief.objects.active().order_by("-created_at", "-id")
        if self.brief_query:
            briefs = briefs.search(self.brief_query)
        shown = list(briefs[: self.BRIEF_CHOICES_SHOWN])
        # The brief picked so far: the field's clean value, never the raw one ("²" is a digit to str.isdigit).
        chosen = (
            getattr(self, "cleaned_data", {}).get("brief") if self.is_bound else self.initial.get("brief")
        )
        if chosen and chosen.pk not in {b.pk for b in shown}:
            shown = [chosen, *shown]
        return shown, briefs.count()


class RulePresetForm(AssignmentRulesForm):
    """The rules of the assign form, saved under a name (the dates are not part of a preset)."""

    preset_name = forms.CharField(
        label=_("Name for these rules"),
        max_length=80,
        required=False,
        help_text=_("For example “Debate, anonymous”. The same name again replaces that preset's rules."),
    )

    class Meta(AssignmentRulesForm.Meta):
        fields = [name for name in AssignmentRulesForm.Meta.fields if name not in ("opens_at", "due_at")]

    def clean_preset_name(self) -> str:
        name = " ".join(self.cleaned_data["preset_name"].split())
        if not name:
            raise forms.ValidationError(_("Give the preset a name, such as “Debate, anonymous”."))
        return name

    def rule_values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ExtensionForm(forms.Form):
    """One student's own due time; empty takes the extension back."""

    due_at = DateTimeField(required=False)


class HideForm(forms.Form):
    reason = forms.CharField(required=False)  # hide_response asks for one, and keeps its first 300 characters


class FeedbackForm(forms.Form):
    score = forms.DecimalField(label=_("Score"), required=False, min_value=0, max_digits=6, decimal_places=2)
    comment = forms.CharField(
        label=_("Feedback"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, points: int, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.points = points
        self.fields["score"].widget.attrs.update({"max": points, "step": "0.5", "inputmode": "decimal"})

    def clean_score(self):
        score = self.cleaned_data["score"]
        if score is not None and score > self.points:
            raise forms.ValidationError(
                ngettext("The most is %(points)s point.", "The most is %(points)s points.", self.points)
                % {"points": self.points}
            )
        return score


MAX_ROSTER_BYTES = 512 * 1024


class RosterForm(forms.Form):
    file = forms.FileField(
        label=_("Roster file (CSV)"), required=False, help_text=_("Columns: username, name, email.")
    )
    text = forms.CharField(
        label=_("Or paste it"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload:
            if upload.size > MAX_ROSTER_BYTES:
                raise forms.ValidationError(_("The file is larger than 512 KB."))
            try:
                cleaned["text"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise forms.ValidationError(
                    _("The file is not UTF-8 text; export it from the spreadsheet as “CSV UTF-8”.")
                ) from None
        if not cleaned.get("text", "").strip():
            raise forms.ValidationError(_("Upload a CSV file or paste the roster."))
        return cleaned


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Also reaches students created from a roster, who have never set a password.

    After save(), `mail_failed` says whether the mailer failed: it sent to the account, or,
    when no account uses the address, it was opened and closed without sending, so the
    answer is the same whether or not the address has an account.
    """

    mail_failed = False

    def get_users(self, email: str):
        return User.objects.filter(email__iexact=email, is_active=True).exclude(email="")

    def save(self, **kwargs) -> None:
        self.mail_attempted = False
        super().save(**kwargs)
        if not self.mail_attempted:
            self.mail_failed = not mail_works()

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict,
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        # Django's own send_mail logs a failure and carries on; the page must know of it.
        self.mail_attempted = True
        with languages.speaking_to(context["user"]):  # theirs, not the asking browser's
            subject = "".join(render_to_string(subject_template_name, context).splitlines())
            body = render_to_string(email_template_name, context)
            headers = {"Content-Language": languages.of_user(context["user"])}
        try:
            EmailMessage(subject, body, from_email, [to_email], headers=headers).send()
        except Exception:
            logger.exception("Password reset mail to user %s was not sent", context["user"].pk)
            self.mail_failed = True
