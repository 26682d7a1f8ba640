import time

from django import forms
from django.core import signing
from django.core.validators import MaxLengthValidator

from . import conf
from .services import CommentRefused, resolve_parent, target_type
from .text import clean_text

TIMESTAMP_SALT = "comments.form-timestamp"


def target_key(target):
    return f"{target_type(target)}:{target.pk}"


def make_timestamp(target, now=None, key=None):
    """A signed note of when (and for which piece, or which form: ``key``) it was served."""
    return signing.dumps(
        [int(now if now is not None else time.time()), key or target_key(target)],
        salt=TIMESTAMP_SALT,
    )


class CleanCharField(forms.CharField):
    """A CharField that drops direction overrides, control characters and lone surrogates
    (see comments.text.clean_text). NUL bytes stay, for Django's validator to refuse."""

    def to_python(self, value):
        value = super().to_python(value)
        return clean_text(value).strip() if value else value


class AntiSpamMixin:
    """A honeypot field people never see, and the signed time the form was served: a form sent
    too fast (a bot) or too late (expired) is refused, with the text kept. Also used by the
    newsletter's sign-up form, which names itself with ``anti_spam_key``."""

    def anti_spam_key(self):
        return target_key(self.target)

    def add_anti_spam_fields(self):
        self.fields["timestamp"] = forms.CharField(widget=forms.HiddenInput, required=False)
        self.fields["timestamp"].initial = make_timestamp(None, key=self.anti_spam_key())
        self.fields["hp_subject"] = forms.CharField(
            required=False,
            label="Leave this field empty",
            widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
        )

    def check_anti_spam(self):
        if self.cleaned_data.get("hp_subject"):
            raise forms.ValidationError(
                "This form was filled in by a program. If you are a person, leave the field "
                "“Leave this field empty” empty and send it again.",
                code="honeypot",
            )
        try:
            served, key = signing.loads(self.data.get("timestamp") or "", salt=TIMESTAMP_SALT)
            served = int(served)
        except (signing.BadSignature, ValueError, TypeError):
            raise forms.ValidationError(
                "The form arrived incomplete or altered. Please send it again.", code="timestamp"
            ) from None
        if key != self.anti_spam_key():
            raise forms.ValidationError(
                "This form belongs to another page. Please send it again from here.",
                code="timestamp",
            )
        age = time.time() - served
        # A form with field errors comes back anyway: asking to slow down as well only confuses.
        if age < conf.get("COMMENTS_MIN_SUBMIT_SECONDS") and not self.errors:
            raise forms.ValidationError(
                "That was very quick. Please take a moment to check your comment, then send "
                "it again.",
                code="too_fast",
            )
        max_age = conf.get("COMMENTS_MAX_FORM_AGE_SECONDS")
        if age > max_age:
            hours = max_age // 3600
            raise forms.ValidationError(
                f"This form was opened more than {hours} hours ago and has expired. Your text "
                "is kept below: please send it again.",
                code="expired",
            )

    def refresh_timestamp(self):
        """After a refusal the form is shown again with a fresh signed time."""
        if self.is_bound:
            self.data = self.data.copy()
            self.data["timestamp"] = make_timestamp(None, key=self.anti_spam_key())


class CommentForm(AntiSpamMixin, forms.Form):
    # autocomplete: the browser offers what the reader typed last time (comments.js fills it in).
    name = CleanCharField(
        max_length=100, label="Name", widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        max_length=254,
        label="Email",
        help_text="Never shown. Used to tell you about replies if you ask.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    website = forms.URLField(
        required=False,
        max_length=200,
        label="Website (optional)",
        assume_scheme="https",
        widget=forms.URLInput(attrs={"autocomplete": "url"}),
    )
    body = CleanCharField(label="Comment", widget=forms.Textarea(attrs={"rows": 6}))
    follow = forms.BooleanField(required=False, label="Notify me of follow-up comments by email")
    parent = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, target, policy=None, **kwargs):
        self.target = target
        self.policy = policy
        super().__init__(*args, **kwargs)
        self.fields["body"].max_length = conf.get("COMMENTS_MAX_LENGTH")
        self.fields["body"].validators.append(MaxLengthValidator(conf.get("COMMENTS_MAX_LENGTH")))
        self.fields["body"].widget.attrs["maxlength"] = conf.get("COMMENTS_MAX_LENGTH")
        self.fields["body"].widget.attrs["required"] = True
        self.add_anti_spam_fields()

    def clean_website(self):
        url = self.cleaned_data.get("website", "")
        if url and not url.lower().startswith(("http://", "https://")):
            raise forms.ValidationError("Enter a web address starting with http:// or https://.")
        return url

    def clean_email(self):
        return self.cleaned_data["email"].strip()

    def clean(self):
        cleaned = super().clean()
        self.check_anti_spam()
        cleaned["parent_comment"] = None
        if cleaned.get("parent"):
            try:
                cleaned["parent_comment"] = resolve_parent(
                    self.target, cleaned["parent"], self.policy
                )
            except CommentRefused as refused:
                raise forms.ValidationError(refused.message, code="parent") from None
        return cleaned


class FollowForm(AntiSpamMixin, forms.Form):
    email = forms.EmailField(
        max_length=254, label="Email", widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )

    def __init__(self, *args, target, **kwargs):
        self.target = target
        super().__init__(*args, **kwargs)
        self.add_anti_spam_fields()

    def clean(self):
        cleaned = super().clean()
        self.check_anti_spam()
        return cleaned


class EditForm(forms.Form):
    body = CleanCharField(label="Comment", widget=forms.Textarea(attrs={"rows": 8}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = conf.get("COMMENTS_MAX_LENGTH")
        self.fields["body"].max_length = limit
        self.fields["body"].validators.append(MaxLengthValidator(limit))
        self.fields["body"].widget.attrs["maxlength"] = limit
        self.fields["body"].widget.attrs["required"] = True
