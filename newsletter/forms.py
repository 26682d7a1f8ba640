from django import forms

from comments.forms import AntiSpamMixin

# The wording recorded as the subscriber's consent: what the form shows beside the button.
CONSENT_TEXT = (
    "We send only what you tick, after you confirm your address. Every email has a one-click "
    "unsubscribe link. Your address is used for nothing else."
)


class PreferencesForm(forms.Form):
    interviews = forms.BooleanField(label="Every new interview", required=False, initial=True)
    blog = forms.BooleanField(label="New posts on the blog", required=False)
    digest = forms.BooleanField(label="A weekly digest of both", required=False)

    def clean(self):
        data = super().clean()
        if not self.errors and not (data["interviews"] or data["blog"] or data["digest"]):
            raise forms.ValidationError(
                "Tick at least one of the emails (or unsubscribe to receive none).",
                code="nothing",
            )
        return data

    def wants(self):
        return {key: self.cleaned_data[key] for key in ("interviews", "blog", "digest")}


class SubscribeForm(AntiSpamMixin, PreferencesForm):
    """The sign-up form, the same on every page it is on (no per-reader token in it)."""

    email = forms.EmailField(label="Your email address", max_length=254)
    next = forms.CharField(widget=forms.HiddenInput, required=False, max_length=300)
    field_order = ["email", "interviews", "blog", "digest"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_anti_spam_fields()

    def anti_spam_key(self):
        return "newsletter:subscribe"

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        local, _, domain = email.rpartition("@")
        return f"{local}@{domain.lower()}"

    def clean_next(self):
        path = self.cleaned_data.get("next") or "/subscribe/"
        return path if path.startswith("/") and not path.startswith("//") else "/subscribe/"

    def clean(self):
        data = super().clean()
        self.check_anti_spam()
        return data
