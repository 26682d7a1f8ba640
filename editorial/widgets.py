"""The writing surface for Markdown bodies: a textarea that ``markdown-editor.js`` gives a
toolbar, a preview beside it (rendered by the site's renderer, ``editorial.views``) and autosave
in the browser. Without JavaScript it is the plain textarea."""

from django import forms
from django.urls import reverse_lazy
from taggit.forms import TagWidget


class MarkdownTextarea(forms.Textarea):
    class Media:
        css = {"all": ["editorial/markdown-editor.css"]}
        js = ["editorial/markdown-editor.js"]

    def __init__(self, attrs=None, images=False):
        """``images``: the toolbar offers library images (``![Alt](image:12)``), chosen from
        the images app's chooser."""
        attrs = {"rows": 10, "cols": 80, **(attrs or {})}
        attrs["class"] = " ".join(filter(None, [attrs.get("class"), "markdown-editor"]))
        self.images = images
        super().__init__(attrs)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["data-preview-url"] = str(
            reverse_lazy("editorial:markdown_preview")
        )
        if self.images:
            context["widget"]["attrs"]["data-image-chooser-url"] = str(
                reverse_lazy("admin:images_image_choose")
            )
        return context


class SuggestingTagWidget(TagWidget):
    """taggit's comma-separated box, offered the existing names as you type
    (``tag-suggest.js`` and the staff-only ``editorial:name_suggestions``)."""

    class Media:
        js = ["editorial/tag-suggest.js"]

    def __init__(self, model_label, attrs=None):
        self.model_label = model_label.lower()
        super().__init__(attrs)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].update(
            {
                "data-suggest-url": str(
                    reverse_lazy("editorial:name_suggestions", args=[self.model_label])
                ),
                "autocomplete": "off",
            }
        )
        return context
