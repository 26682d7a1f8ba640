from django import forms


class ApprovalLinkForm(forms.Form):
    note = forms.CharField(
        label="Sent to",
        max_length=200,
        required=False,
        help_text="For editors: who you are sending the link to (e.g. the leader's PA).",
    )
    days = forms.IntegerField(
        label="Valid for (days)", min_value=1, max_value=60, initial=7, help_text="Default 7."
    )


class ApprovalResponseForm(forms.Form):
    APPROVE, COMMENT = "approve", "comment"

    name = forms.CharField(label="Your name", max_length=120)
    message = forms.CharField(
        label="Comments or corrections",
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Anything you would like changed: quote the words and say what they should be.",
    )
    decision = forms.ChoiceField(
        choices=[(APPROVE, "Approve"), (COMMENT, "Send comments")], widget=forms.HiddenInput
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == self.COMMENT and not cleaned.get("message", "").strip():
            self.add_error("message", "Write your comments before sending them.")
        return cleaned
