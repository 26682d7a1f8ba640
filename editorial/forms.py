from django import forms


class ApprovalLinkForm(forms.Form):
    to = forms.EmailField(
        label="Email it to",
        required=False,
        help_text="The leader's address (or their office's). Leave it empty to copy the link "
        "and send it yourself.",
    )
    message = forms.CharField(
        label="Message",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 80}),
        help_text="The link is added below your message.",
    )
    days = forms.IntegerField(
        label="Valid for (days)", min_value=1, max_value=60, initial=7, help_text="Default 7."
    )

    @staticmethod
    def initial_for(interview, user):
        """What the form starts with: the leader's address and a short message to adjust."""
        signature = user.get_full_name() or user.get_username()
        first_name = interview.leader.name.split()[0] if interview.leader.name else ""
        return {
            "to": interview.leader.email,
            "message": (
                f"Dear {first_name},\n\n"
                f"Thank you again for the interview. Here it is, as it will appear: please "
                f"read it, and approve it or tell us what you would like changed, with the "
                f"link below.\n\nWith thanks,\n{signature}"
            ),
        }


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
